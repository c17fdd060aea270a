package gather

import "fmt"

// memberMessage is what each member's tag shows.
func memberMessage(g *Gathering) (zh, en string) {
	if g.Evacuate {
		return fmt.Sprintf("附近发生气体报警，%d人聚集，立即疏散！", g.Count),
			fmt.Sprintf("Gas alarm nearby and %d people gathered: evacuate immediately!", g.Count)
	}
	return fmt.Sprintf("人员聚集%s预警：您周围已聚集%d人，请立即分散", colourZh[g.Colour], g.Count),
		fmt.Sprintf("Gathering warning (%s): %d people around you, please disperse now", g.Colour, g.Count)
}

// AlarmMessage is the alarm's message for a gathering.
func AlarmMessage(g Gathering, cfg Config) (zh, en string) {
	cfg = cfg.withDefaults()
	if g.Evacuate {
		zh = fmt.Sprintf("人员聚集（%d人）且附近有气体报警，立即疏散", g.Count)
		en = fmt.Sprintf("Gathering of %d people near a gas alarm: evacuate immediately", g.Count)
	} else {
		zh = fmt.Sprintf("人员聚集%s预警：%d人在%.0f米范围内聚集超过%.0f秒", colourZh[g.Colour], g.Count, cfg.RadiusM, cfg.Duration.Seconds())
		en = fmt.Sprintf("Gathering (%s): %d people within %.0f m for over %.0f s", g.Colour, g.Count, cfg.RadiusM, cfg.Duration.Seconds())
	}
	if g.Dispersed {
		zh += "（已分散，待确认）"
		en += " (dispersed, awaiting confirmation)"
	}
	return zh, en
}
