// Package substance is the library of hazardous substances the twin knows —
// molar mass, flammability limits, exposure guidelines, Chinese occupational
// exposure limits and major-hazard thresholds — with the unit conversions and
// the GB/T 50493-2019 detector setpoints and ALOHA-style levels of concern
// derived from them.
//
// # Data
//
// The library is versioned data, substances.json, embedded in the binary.
// Every number is a Quantity that carries its source ("REFERENCE §7 (NIOSH
// NPG)", "GBZ 2.1-2019 table 1", …); a value the sources do not give is
// absent (a nil *Quantity), never 0. Entries marked Verify hold values that
// still need checking against the primary table; Note says which. Parse
// validates the data (molar mass > 0, LEL < UEL, AEGL-1 ≤ AEGL-2 ≤ AEGL-3,
// a source on every value, CAS check digits, unique ids and aliases) and
// wraps every failure in ErrInvalid. Bump "version" when a value changes.
//
// # Dense gas
//
// A substance is flagged dense when its molar mass exceeds that of air
// (AirMolarMass, 28.96 g/mol), or when its storage makes the released cloud
// denser than air even though the gas is lighter: ammonia, stored liquefied
// under pressure, flashes into a cold cloud of vapour and droplets. The data
// states the basis of each flag (DenseGasBasis) and Parse checks the flag
// against this rule.
//
// # Detector setpoints
//
// Setpoints derives a detector's level 1 / level 2 alarm values in the
// detector's own unit from GB/T 50493-2019 §5.5.2: combustible 25 %/50 %
// LEL, toxic 100 %/200 % OEL (or 5 %/10 % IDLH when the detector's range
// cannot cover 200 % OEL), oxygen 19.5 %VOL low / 23.5 %VOL high. Several
// substances are both toxic and combustible (ammonia, hydrogen sulfide,
// carbon monoxide, benzene, methanol, toluene): the detector's unit decides.
// A %LEL or %VOL detector is a combustible-gas detector; a ppm, mg/m³ or
// g/m³ detector is a toxic-gas detector, unless the substance has no toxic
// limit at all (methane in ppm), when the combustible setpoints are
// expressed in that unit.
//
// # Levels of concern
//
// LOC gives the three toxic levels of concern for threat zones — red 3,
// orange 2, yellow 1 — from the first guideline tier the substance has, in
// ALOHA's order AEGL (60 min) → ERPG → PAC, then IDLH alone, and the
// flammable levels 60 % LEL (red) and 10 % LEL (yellow).
//
// # Concurrency
//
// A Library is immutable after Parse and safe for concurrent use; the
// *Substance values it hands out are shared and must not be modified.
package substance
