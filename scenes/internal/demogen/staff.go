package main

// post is n people of one post; areas rotate over their post areas.
type post struct {
	name  string
	n     int
	role  string
	areas []string
}

// The roster: 264 staff (80 %), 50 contractors (15 %), 16 visitors (5 %).
// Roles group posts for filters: manager, engineer, operator, inspector,
// maintenance, safety, lab, logistics, security, staff, contractor, visitor.
var staff = []struct {
	dept  string
	posts []post
}{
	{deptOffice, []post{
		{"厂长", 1, "manager", []string{"AR-B1"}},
		{"副厂长", 1, "manager", []string{"AR-B1"}},
		{"办公室主任", 1, "staff", []string{"AR-B1"}},
		{"信息管理员", 1, "staff", []string{"AR-B1"}},
		{"文员", 3, "staff", []string{"AR-B1"}},
		{"门卫", 5, "security", []string{"AR-GATE-MAIN", "AR-GATE-LOG", "AR-GATE-MAIN"}},
	}},
	{deptSafety, []post{
		{"部长", 1, "manager", []string{"AR-B1"}},
		{"应急值班长", 2, "safety", []string{"AR-CCR"}},
		{"安全员", 6, "safety", []string{"AR-B1", "AR-TANK", "AR-MEOH", "AR-PNA", "AR-PPD", "AR-LOAD"}},
		{"环保专员", 1, "safety", []string{"AR-WWT"}},
		{"消防员", 2, "safety", []string{"AR-FIRE"}},
	}},
	{deptTech, []post{
		{"总工程师", 1, "manager", []string{"AR-B1"}},
		{"工艺工程师", 4, "engineer", []string{"AR-B1"}},
		{"设备工程师", 2, "engineer", []string{"AR-B1"}},
		{"调度员", 3, "engineer", []string{"AR-CCR"}},
	}},
	{deptQC, []post{
		{"主任", 1, "manager", []string{"AR-QC"}},
		{"化验员", 14, "lab", []string{"AR-QC"}},
	}},
	{deptMeOH, []post{
		{"车间主任", 1, "manager", []string{"AR-MEOH"}},
		{"工艺员", 1, "engineer", []string{"AR-MEOH"}},
		{"班长", 4, "operator", []string{"AR-MEOH"}},
		{"内操", 8, "operator", []string{"AR-CCR"}},
		{"外操", 21, "operator", []string{"AR-MEOH"}},
		{"巡检员", 10, "inspector", []string{"AR-MEOH"}},
	}},
	{deptPNA, []post{
		{"车间主任", 1, "manager", []string{"AR-PNA"}},
		{"班长", 4, "operator", []string{"AR-PNA"}},
		{"内操", 8, "operator", []string{"AR-CCR"}},
		{"外操", 17, "operator", []string{"AR-PNA"}},
		{"巡检员", 8, "inspector", []string{"AR-PNA"}},
		{"文员", 2, "staff", []string{"AR-PNA"}},
	}},
	{deptPPD, []post{
		{"车间主任", 1, "manager", []string{"AR-PPD"}},
		{"班长", 4, "operator", []string{"AR-PPD"}},
		{"内操", 8, "operator", []string{"AR-CCR"}},
		{"外操", 13, "operator", []string{"AR-PPD", "AR-PPD-AUX"}},
		{"压滤工", 6, "operator", []string{"AR-FP"}},
		{"包装工", 8, "operator", []string{"AR-PACK"}},
	}},
	{deptUtility, []post{
		{"车间主任", 1, "manager", []string{"AR-N2"}},
		{"班长", 3, "operator", []string{"AR-N2", "AR-WTU", "AR-WWT"}},
		{"外操", 10, "operator", []string{"AR-N2", "AR-WTU", "AR-WWT", "AR-FWP"}},
		{"电工", 8, "maintenance", []string{"AR-SUB"}},
		{"巡检员", 8, "inspector", []string{"AR-N2", "AR-WWT"}},
	}},
	{deptLogistics, []post{
		{"部长", 1, "manager", []string{"AR-TANK"}},
		{"班长", 3, "operator", []string{"AR-TANK", "AR-LOAD"}},
		{"外操", 9, "operator", []string{"AR-TANK"}},
		{"装卸工", 10, "logistics", []string{"AR-LOAD"}},
		{"叉车司机", 6, "logistics", []string{"AR-FGW", "AR-PACK"}},
		{"仓管员", 4, "logistics", []string{"AR-FGW", "AR-WH"}},
		{"驾驶员", 2, "logistics", []string{"AR-LOAD"}},
	}},
	{deptMaint, []post{
		{"主任", 1, "manager", []string{"AR-MAINT"}},
		{"维修钳工", 12, "maintenance", []string{"AR-MAINT"}},
		{"电工", 4, "maintenance", []string{"AR-MAINT"}},
		{"仪表工", 6, "maintenance", []string{"AR-MAINT"}},
		{"焊工", 2, "maintenance", []string{"AR-MAINT"}},
	}},
}

// Contractor companies and their crews (fictitious names). Contractors'
// department is the plant department that manages their work.
var contractors = []struct {
	company, dept string
	posts         []post
}{
	{"宁夏云岭化工安装有限公司", deptMaint, []post{
		{"维修钳工", 8, "contractor", []string{"AR-MEOH", "AR-PNA", "AR-PPD", "AR-MAINT"}},
		{"焊工", 6, "contractor", []string{"AR-MEOH", "AR-PPD", "AR-MAINT"}},
		{"电工", 3, "contractor", []string{"AR-SUB", "AR-MEOH"}},
		{"起重工", 3, "contractor", []string{"AR-MEOH", "AR-TANK"}},
	}},
	{"宁东鑫固防腐保温工程有限公司", deptMaint, []post{
		{"保温工", 10, "contractor", []string{"AR-MEOH", "AR-TANK", "AR-PNA"}},
		{"安全员", 2, "contractor", []string{"AR-MEOH", "AR-TANK"}},
	}},
	{"银川安测检测技术有限公司", deptSafety, []post{
		{"检测员", 8, "contractor", []string{"AR-TANK", "AR-LOAD", "AR-MEOH"}},
	}},
	{"宁夏驰远危险品运输有限公司", deptLogistics, []post{
		{"驾驶员", 6, "contractor", []string{"AR-LOAD"}},
		{"押运员", 4, "contractor", []string{"AR-LOAD"}},
	}},
}

var visitors = []struct{ company, dept string }{
	{"宁东能源化工基地管委会", deptSafety},
	{"山东瑞丰橡胶助剂有限公司", deptOffice},
	{"华北化工设计研究院", deptTech},
	{"宁夏恒信仪表有限公司", deptMaint},
}

func (r *registry) addStaff() {
	for _, d := range staff {
		for _, p := range d.posts {
			for i := range p.n {
				r.addPerson("internal", "", d.dept, p.name, p.areas[i%len(p.areas)], p.role)
			}
		}
	}
}

func (r *registry) addContractors() {
	for _, c := range contractors {
		for _, p := range c.posts {
			for i := range p.n {
				r.addPerson("contractor", c.company, c.dept, p.name, p.areas[i%len(p.areas)], p.role)
			}
		}
	}
}

func (r *registry) addVisitors() {
	for _, v := range visitors {
		for range 4 {
			r.addPerson("visitor", v.company, v.dept, "访客", "AR-B1", "visitor")
		}
	}
}

func (r *registry) addVehicles() {
	r.vehicles = []vehicle{
		{"VH-01", "1号叉车", "", "forklift", deptLogistics, "V00001", 10},
		{"VH-02", "2号叉车", "", "forklift", deptLogistics, "V00002", 10},
		{"VH-03", "3号叉车", "", "forklift", deptLogistics, "V00003", 10},
		{"VH-04", "4号防爆叉车", "", "forklift", deptPPD, "V00004", 10},
		{"VH-05", "甲醇槽车", "宁A·D5821", "tanker", deptLogistics, "V00005", 20},
		{"VH-06", "液氨槽车", "宁A·D5822", "tanker", deptLogistics, "V00006", 20},
		{"VH-07", "成品运输货车", "宁A·H3057", "truck", deptLogistics, "V00007", 20},
		{"VH-08", "成品运输货车2", "宁A·H3058", "truck", deptLogistics, "V00008", 20},
		{"VH-09", "消防车", "宁A·X1190", "fire_engine", deptSafety, "V00009", 30},
		{"VH-10", "安全巡逻车", "宁A·J6620", "car", deptSafety, "V00010", 20},
		{"VH-11", "25吨汽车吊", "宁A·Q2513", "crane", deptMaint, "V00011", 10},
		{"VH-12", "厂内通勤车", "宁A·B0731", "car", deptOffice, "V00012", 20},
	}
}
