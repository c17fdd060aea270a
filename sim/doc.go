// Package sim is the deterministic plant simulator: it makes a scene come
// alive by publishing, over MQTT, exactly what the plant's devices would —
// tag positions, BLE tag reports, gas-detector readings, weather reports and
// video-analytics events — on the topics and in the payloads of DESIGN.md ("MQTT topics"),
// so that everything downstream (ingest, rules, alarms, the viewer) runs as
// it would on a real plant.
//
// # Core and driver
//
// New reads the scene (the simulator never writes to it) and builds
// agents; Step(now) advances simulated time to now
// and returns the messages due since the previous Step, in time order. Step
// is pure: it reads no clock and draws only from PCG streams seeded with
// Options.Seed and a hash of each agent's id (people share only the work
// spots they take, in the schedule's order), and every payload is written
// field by field with fixed decimals, so the same seed and the same
// sequence of Step times give byte-identical messages. Each message's ts is
// its measurement time, independent of the tick: stepping by 200 ms or by
// 1.3 s yields the same stream. After a stall of more than 10 s a stream
// skips to the present rather than replaying the past.
//
// Run is the driver: it ticks the wall clock (Options.Tick, 200 ms) and
// hands Step's messages to a Publisher; MQTTPublisher publishes them with a
// paho client, as a gateway would. A Sim is not safe for concurrent use:
// Run's goroutine owns it.
//
// # People
//
// Each person with a tag walks the pedestrian network (geo/route) at their
// own pace of 1.0–1.5 m/s (±10 % per walk, 60 % of it along stairs),
// alternating walks with dwells at work spots (spots.go). Staff spend their
// shift at their post area (the post_area property): 99 % of their walks
// are short moves within it (the nearest on foot of four free spots, at
// most 150 m away), with dwells of 30 s–10 min (4–10 min at desk posts:
// offices, the control room, buildings); the rest are errands — one every
// eight hours or so — to the control room, the canteen/office building
// (1#楼), another area or a gate. Contractors keep to their work site and
// the workshops; visitors walk beside an escort from the office staff, a
// metre or two away (alone, they keep to the offices, the canteen and the
// gates). The simulation starts part way through everyone's dwell. Indoors
// a person is on the floor of the corridor they walk, at z = level × the
// building's storey height (floor 1, the ground floor, at z = 0; outdoors
// is floor 0).
//
// Routine work does not gather people (the 2023 gathering-risk guide,
// twin/gather: 3 people within 15 m for over a minute). Where gatherings
// are watched, work spots are 36 m apart on each level and take one person
// each (or on the way to it), and none lies on the thoroughfares people
// cross the plant on or by the site fence; a person whose post area has
// no free spot stays where they are, or waits at the nearest free spot.
// Nobody works or waits inside a forbidden fence. Inside a static fence
// (静止, a man-down watch: the demo's tank farm, 120 s) a stay lasts at
// most 60 % of the fence's time, after which the person moves on — to
// another spot, or 8–10 m along the walkway to the next gauge and back —
// so routine work raises no static alarm (sim TestDemoPlant runs the
// demo's people through the fence engine to hold this).
// Offices, control rooms, labs, gatehouses, the canteen and the fire
// station (the zones twin/gather exempts, 6 m in from their edge) have
// spots every 6 m that take anyone: there staff wait and meet.
//
// # Tags
//
// A tag reports every 2 s (AQ 3064.3-2025: at least 30 uploads a minute),
// with a battery that drains 0.5–1.2 %/h, and SOS off. A positioning tag
// publishes positions with an error of about 0.9 m rms made of a slow
// correlated bias and a white jitter. A BLE tag (Options.BLEShare of the
// people, 30 % by default, drawn with the seed; none without beacons)
// publishes …/tags/{tag}/rssi instead: the beacons it hears, strongest
// first, at most ingest.MaxBeacons, in whole dBm, by AQ 3064.3-2025 Annex
// A's channel, RSSI = rssi_1m − 22·log₁₀(d) + N(0, 4²) dB over the 3D
// distance from the tag (1.2 m above its floor) to each beacon, nothing
// beyond 30 m, and 15 dB lost per floor slab between the tag and an
// indoor beacon (see ble.go).
//
// # Vehicles
//
// Vehicles drive the road network at 75–95 % of the speed allowed: the
// road's speed_limit_kmh (15 km/h where none is posted), capped by the
// vehicle's max_speed_kmh (forklifts 8 km/h, cranes 5 km/h by default).
// Tankers and trucks shuttle between gates and loading points, forklifts
// work their loading area, a fire engine waits at its station and goes on
// an occasional round, cars go anywhere; each stop lasts minutes.
//
// # Gas detectors
//
// Detectors report once a second: a zero offset, a drift (an
// Ornstein–Uhlenbeck process over 30 min) and white noise, rounded to the
// sensor's resolution — combustible 0–2 %LEL, toxic a few percent of the
// range, oxygen 20.9 ± 0.1 %VOL — never reaching 40 % of the level-1
// setpoint on their own.
//
// # Weather
//
// Weather stations report every 10 s a Ningdong climate: the prevailing
// north-west wind of 2–5 m/s with meander and gusts, a seasonal and
// diurnal temperature cycle in the site's time zone (Asia/Shanghai), cloud
// cover, and the Pasquill stability class that follows from them.
//
// # Episodes
//
// With Options.Episodes (on in the demo) scripted incidents make alarms
// appear: a small leak through one detector's level-1 setpoint for a minute
// or two every 8–20 min, an SOS press every 25–60 min, a few tags starting
// with a low battery, a camera event every 3–10 min, and every 20–40 min
// (the first 2.5–5 min after the start) a gathering: 4–5 people called to
// one spot of a production area, together for 3 min, then leaving one by
// one — the orange gathering routine work never makes. See episodes.go and
// crowd.go for the numbers.
//
// # Releases
//
// Options.Releases plays scripted gas releases (Scenario names the demo's:
// ammonia-leak, 100 g/s from the p-nitroaniline unit's feed pump P-101A,
// and methanol-leak, 200 g/s of vapour from the PPD unit's feed pump P-201):
// every outdoor detector of the substance reads the Gaussian plume at its
// place in the regional wind of the moment (a unit's wake as the initial
// spread, Briggs open-country σ, the class from wind, cloud and sun), times
// a lognormal one-second fluctuation, through a 10 s sensor response; the
// front reaches a detector x metres downwind x/u seconds after the start.
// See release.go.
//
// # Evacuation orders
//
// With Options.Notices, Run subscribes (through MQTTPublisher's client) to
// chemtwin/{site}/tags/+/notify, and the people obey the evacuation
// orders twin/evac sends there (Notice does the same without a broker):
// each wearer notices the buzz 5–40 s later, acknowledges on
// …/tags/{tag}/ack ({"ref": order_id}; 5 % of the tags, in a pocket,
// never do, and their wearers leave 40–120 s after the notice), walks the
// route at the evacuation speeds twin/evac's ETAs assume (1.19 m/s, 0.92
// m/s on stairs) to a place within the muster point's radius and waits
// there; a wearer told to shelter in place stays where they are; an update
// sends them along the new route from where they are; 10–90 s after the
// all-clear they walk back to their routine. Vehicles ignore notices.
// Notices come from outside, so they break the promise of a stream fixed
// by the seed only as far as they must: each takes effect at the time of
// the Step after which it came, and the response draws from the person's
// own stream. The paho client's handler parses them and hands them to
// Run's loop over a bounded queue (4096), dropping and counting beyond
// it; malformed ones are counted and ignored. See evacuate.go and
// notice.go.
package sim
