// Package threat is the live chain from gas alarms to threat zones: while a
// gas_level1 or gas_level2 alarm is open it groups the alarming detectors by
// substance, estimates the release point and rate from the readings of every
// detector of that substance nearby (geo/plume.EstimateSource over the
// scene's release sources and a free grid), draws ALOHA-style threat zones
// at the estimate with the substance's levels of concern
// (geo/plume.ThreatZones) in the wind of the nearest weather station, and
// writes them back into the scene as threat_zone entities with the people
// inside each zone. The scene carries them to the /ws layer threat_zones and
// the OGC collection threat_zones.
//
// Weather is aggregated per station over a rolling window (10 min by
// default): the vector-mean wind and the standard deviation of the wind
// direction σθ by the Yamartino (1984) method. The Pasquill stability class
// is the station's own `stability` when it reports one, else it follows from
// the sun's elevation at the site and the cloud cover (Turner's rules,
// geo/plume.ConditionsFromSun).
//
// A Service has one goroutine, Run, that does all computing; ObserveScene and
// ObserveAlarm only copy what changed under a small lock and wake it.
// No scene lock is held while the models run: inputs are copied under
// Scene.View, the zones computed on the copies, and the result written with
// one Scene.Apply.
package threat
