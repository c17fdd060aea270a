package main

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// cameraSpec is a camera at a position looking at a target.
type cameraSpec struct {
	id, name, nameEn string
	at, target       orb.Point
	fov, rangeM, h   float64
	ptz              bool
	analytics        []string
}

var (
	gateAI    = []string{"intrusion", "no_helmet"}
	processAI = []string{"no_helmet", "smoking", "smoke_fire", "fall", "phone"}
	tankAI    = []string{"intrusion", "smoking", "smoke_fire", "phone"}
	loadAI    = []string{"no_helmet", "smoking", "smoke_fire", "phone", "intrusion"}
	roomAI    = []string{"intrusion", "fall"}
)

var cameraSpecs = []cameraSpec{
	{"CAM-01", "主大门车辆出入口", "Main gate vehicle lane", orb.Point{-455, 404}, orb.Point{-440, 418}, 70, 40, 6, false, gateAI},
	{"CAM-02", "主大门人行通道", "Main gate pedestrian entrance", orb.Point{-420, 404}, orb.Point{-432, 416}, 70, 30, 4, false, gateAI},
	{"CAM-03", "物流大门车辆出入口", "Logistics gate vehicle lane", orb.Point{-15, -405}, orb.Point{0, -418}, 70, 40, 6, false, gateAI},
	{"CAM-04", "物流大门地磅", "Logistics gate weighbridge", orb.Point{28, -404}, orb.Point{0, -395}, 60, 50, 6, false, gateAI},
	{"CAM-05", "应急大门", "Emergency gate", orb.Point{-585, -105}, orb.Point{-598, -120}, 70, 40, 6, false, gateAI},
	{"CAM-06", "罐区高点球机", "Tank farm PTZ (high point)", orb.Point{326, -211}, orb.Point{430, -280}, 60, 250, 25, true, tankAI},
	{"CAM-07", "罐区东南角", "Tank farm south-east corner", orb.Point{534, -349}, orb.Point{430, -280}, 60, 180, 12, false, tankAI},
	{"CAM-08", "液氨球罐", "Ammonia spheres", orb.Point{514, -280}, orb.Point{480, -280}, 70, 80, 10, false, tankAI},
	{"CAM-09", "罐区泵棚", "Tank-farm pump shelter", orb.Point{346, -171}, orb.Point{430, -185}, 80, 100, 6, false, tankAI},
	{"CAM-10", "甲醇装车栈台", "Methanol loading rack", orb.Point{50, -225}, orb.Point{100, -260}, 80, 80, 8, false, loadAI},
	{"CAM-11", "液氨装车栈台", "Ammonia loading rack", orb.Point{260, -225}, orb.Point{210, -260}, 80, 80, 8, false, loadAI},
	{"CAM-12", "装车通道入口", "Loading lane entrance", orb.Point{20, -270}, orb.Point{150, -260}, 50, 150, 8, true, loadAI},
	{"CAM-13", "甲醇合成装置", "Methanol synthesis unit", orb.Point{336, -64}, orb.Point{390, 0}, 80, 120, 15, true, processAI},
	{"CAM-14", "甲醇精馏装置", "Methanol distillation unit", orb.Point{544, -64}, orb.Point{505, -10}, 80, 100, 15, false, processAI},
	{"CAM-15", "对硝氨解装置西侧", "Ammonolysis unit west", orb.Point{-254, -84}, orb.Point{-200, -30}, 80, 100, 12, false, processAI},
	{"CAM-16", "对硝氨解装置东侧", "Ammonolysis unit east", orb.Point{-146, 24}, orb.Point{-200, -30}, 80, 100, 12, true, processAI},
	{"CAM-17", "对苯二胺加氢装置", "PPD hydrogenation unit", orb.Point{144, -64}, orb.Point{90, 0}, 80, 120, 15, true, processAI},
	{"CAM-18", "对苯二胺生产辅房入口", "PPD auxiliary building entrance", orb.Point{230, 125}, orb.Point{242.5, 110}, 70, 30, 4, false, processAI},
	{"CAM-19", "压滤机房", "Filter-press house", orb.Point{282, -95}, orb.Point{245, -45}, 70, 80, 8, false, processAI},
	{"CAM-20", "污水处理池", "Wastewater pools", orb.Point{-315, -295}, orb.Point{-450, -335}, 70, 200, 10, true, []string{"fall", "intrusion", "no_helmet"}},
	{"CAM-21", "中控室入口", "Control room entrance", orb.Point{-355, 365}, orb.Point{-370, 350}, 70, 30, 4, false, roomAI},
	{"CAM-22", "变电所", "Substation", orb.Point{295, 395}, orb.Point{245, 340}, 70, 100, 8, false, []string{"intrusion", "smoke_fire"}},
	{"CAM-23", "包装车间", "Packaging building", orb.Point{-285, -225}, orb.Point{-225, -270}, 70, 80, 6, false, []string{"no_helmet", "smoking", "fall"}},
	{"CAM-24", "成品仓库", "Finished-goods warehouse", orb.Point{-5, -195}, orb.Point{-75, -260}, 70, 100, 8, false, []string{"intrusion", "smoke_fire", "smoking"}},
	{"CAM-25", "机修间动火区", "Maintenance hot-work bay", orb.Point{-190, 345}, orb.Point{-240, 320}, 70, 60, 6, false, []string{"no_helmet", "smoke_fire", "fall"}},
	{"CAM-26", "空分装置", "Air-separation unit", orb.Point{90, 240}, orb.Point{65, 290}, 70, 80, 10, false, processAI},
}

func (p *plant) addCameras() {
	for i, c := range cameraSpecs {
		ai := make([]any, len(c.analytics))
		for i, a := range c.analytics {
			ai[i] = a
		}
		tilt := -15.0
		if c.h > 12 {
			tilt = -25
		}
		p.add(fileCameras, c.id, twin.KindCamera, c.at, P{
			"name": c.name, "name_en": c.nameEn, "parent": p.parentAt(c.at), "heading_deg": p.bearing(c.at, c.target),
			"fov_deg": c.fov, "range_m": c.rangeM, "tilt_deg": tilt, "height": c.h, "ptz": c.ptz, "analytics": ai,
			// The plant's NVR re-streams every camera as RTSP (main stream
			// 101) on the video segment; a viewer plays it through the
			// site's media gateway.
			"stream_url": fmt.Sprintf("rtsp://10.20.1.%d:554/Streaming/Channels/101", 11+i),
		})
	}
}
