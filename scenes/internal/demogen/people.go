package main

import (
	"bytes"
	"fmt"
)

// Departments of the demo plant.
const (
	deptOffice    = "综合办公室"
	deptSafety    = "安全环保部"
	deptTech      = "生产技术部"
	deptQC        = "质检中心"
	deptMeOH      = "甲醇车间"
	deptPNA       = "对硝车间"
	deptPPD       = "对苯二胺车间"
	deptUtility   = "公用工程车间"
	deptLogistics = "储运部"
	deptMaint     = "机修车间"
)

type person struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	IdentityType string `json:"identity_type"`
	Company      string `json:"company,omitempty"`
	Department   string `json:"department"`
	Post         string `json:"post"`
	PostArea     string `json:"post_area"`
	Role         string `json:"role"`
	Tag          string `json:"tag"`
	Phone        string `json:"phone"`
	Certificates []cert `json:"certificates,omitempty"`
}

type cert struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Number  string `json:"number"`
	Expires string `json:"expires"`
}

type vehicle struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Plate       string  `json:"plate,omitempty"`
	VehicleType string  `json:"vehicle_type"`
	Department  string  `json:"department"`
	Tag         string  `json:"tag"`
	MaxSpeedKmh float64 `json:"max_speed_kmh"`
}

type user struct {
	Username string `json:"username"`
	Role     string `json:"role"`
	Person   string `json:"person"`
}

// registry is the demo's people, vehicles and login users.
type registry struct {
	people   []person
	vehicles []vehicle
	users    []user
	byPost   map[string][]string // "department/post" → person ids, in order
	names    map[string]bool
	rng      rng
	certs    int
}

func newRegistry() *registry {
	r := &registry{byPost: map[string][]string{}, names: map[string]bool{}, rng: rng{state: 20260701}}
	r.addStaff()
	r.addContractors()
	r.addVisitors()
	r.addVehicles()
	r.users = []user{
		{"admin", "admin", r.first(deptOffice, "信息管理员")},
		{"manager", "manager", r.first(deptOffice, "厂长")},
		{"emergency", "emergency", r.first(deptSafety, "应急值班长")},
		{"inspector", "inspector", r.first(deptMeOH, "巡检员")},
		{"operator", "operator", r.first(deptMeOH, "外操")},
	}
	return r
}

// first returns the first person of a department and post.
func (r *registry) first(dept, post string) string {
	ids := r.byPost[dept+"/"+post]
	if len(ids) == 0 {
		panic(fmt.Sprintf("demogen: nobody is %s of %s", post, dept))
	}
	return ids[0]
}

// all returns every person of a department and post.
func (r *registry) all(dept, post string) []string { return r.byPost[dept+"/"+post] }

func (r *registry) addPerson(identity, company, dept, post, area, role string) {
	n := len(r.people) + 1
	p := person{
		ID: fmt.Sprintf("PS-%04d", n), Name: r.name(), IdentityType: identity, Company: company,
		Department: dept, Post: post, PostArea: area, Role: role, Tag: fmt.Sprintf("T%05d", n),
		// masked as Chinese apps show them; no real number is written
		Phone: fmt.Sprintf("138****%04d", (n*7919)%10000),
	}
	if c, ok := certFor(dept, post); ok {
		r.certs++
		c.Number = fmt.Sprintf("%s-%06d", c.Number, 100000+r.certs*37)
		c.Expires = r.expiry()
		p.Certificates = []cert{c}
	}
	r.people = append(r.people, p)
	r.byPost[dept+"/"+post] = append(r.byPost[dept+"/"+post], p.ID)
}

// expiry returns a certificate expiry date; about one in nine has lapsed,
// so that the permit checks have something to find.
func (r *registry) expiry() string {
	year := 2027 + r.rng.intn(4)
	if r.certs%9 == 0 {
		year = 2025
	}
	return fmt.Sprintf("%d-%02d-%02d", year, 1+r.rng.intn(12), 1+r.rng.intn(28))
}

// name returns a new, unique Chinese name.
func (r *registry) name() string {
	for {
		n := pick(&r.rng, surnames)
		n += pick(&r.rng, givenNames)
		if r.rng.intn(3) > 0 {
			n += pick(&r.rng, givenNames)
		}
		if !r.names[n] {
			r.names[n] = true
			return n
		}
	}
}

// Common surnames (马, 杨, 丁 and 海 weighted up: Ningxia's Hui families)
// and given-name characters.
var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
		"林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
		"邓", "许", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "余", "潘",
		"杜", "田", "任", "姜", "范", "方", "石", "姚", "金", "白", "马", "马", "杨", "丁", "海", "纳", "拓"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
		"涛", "明", "超", "兰", "霞", "平", "刚", "英", "华", "建", "国", "志", "海", "燕", "东", "红", "梅",
		"庆", "文", "博", "涵", "浩", "宇", "轩", "欣", "怡", "远", "琪", "俊", "鹏", "飞", "斌", "辉", "彬",
		"宁", "瑞", "鑫", "峰", "龙", "亮", "健", "凯", "琳", "雪", "婷", "丹", "倩", "晨", "阳", "波", "玉"}
)

// certFor returns the certificate a post requires, with its number prefix
// in Number.
func certFor(dept, post string) (cert, bool) {
	switch post {
	case "电工":
		return cert{"特种作业操作证", "低压电工作业", "TZ", ""}, true
	case "焊工":
		return cert{"特种作业操作证", "熔化焊接与热切割作业", "TZ", ""}, true
	case "仪表工":
		return cert{"特种作业操作证", "化工自动化控制仪表作业", "TZ", ""}, true
	case "叉车司机":
		return cert{"特种设备作业人员证", "N1 叉车司机", "TS", ""}, true
	case "起重工":
		return cert{"特种设备作业人员证", "Q1 起重机指挥", "TS", ""}, true
	case "安全员", "应急值班长":
		return cert{"安全生产知识和管理能力考核合格证", "安全生产管理人员", "AQ", ""}, true
	case "厂长":
		return cert{"安全生产知识和管理能力考核合格证", "主要负责人", "AQ", ""}, true
	case "驾驶员":
		return cert{"道路运输从业人员从业资格证", "危险货物运输驾驶员", "DY", ""}, true
	case "押运员":
		return cert{"道路运输从业人员从业资格证", "危险货物运输押运人员", "DY", ""}, true
	case "内操", "外操", "班长":
		switch dept {
		case deptPNA: // ammonolysis is one of the hazardous chemical processes
			return cert{"特种作业操作证", "胺基化工艺作业", "TZ", ""}, true
		case deptPPD:
			return cert{"特种作业操作证", "加氢工艺作业", "TZ", ""}, true
		}
	}
	return cert{}, false
}

// json renders registry.json with one entry per line.
func (r *registry) json() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	sections := []struct {
		name  string
		items []any
	}{{"people", anys(r.people)}, {"vehicles", anys(r.vehicles)}, {"users", anys(r.users)}}
	for i, s := range sections {
		fmt.Fprintf(&b, "%q: [\n", s.name)
		for j, item := range s.items {
			line, err := marshal(item)
			if err != nil {
				return nil, err
			}
			b.WriteString("  ")
			b.Write(line)
			if j < len(s.items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]")
		if i < len(sections)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func anys[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// person returns the person with id.
func (r *registry) person(id string) person {
	for _, p := range r.people {
		if p.ID == id {
			return p
		}
	}
	panic("demogen: no person " + id)
}
