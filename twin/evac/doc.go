// Package evac is chemtwin's emergency service (W8, 指挥决策一张图): the
// roll call (清点) of who has reached a muster point, who is still in the
// plant and who is unaccounted for; evacuation plans routed around hazards
// to safe muster points (the routing is geo/evac's); and the evacuation
// order broadcast to every tag and viewer.
package evac
