package scenes

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// DemoUser is a login account the server creates with --demo, bound to the
// person it is.
type DemoUser struct {
	Username, Role, PersonID string
}

// UserRoles are the roles a user may have (DESIGN.md).
var UserRoles = []string{"admin", "manager", "emergency", "inspector", "operator"}

// identityCodes are the person type codes of AQ 3064.3-2025 (internal 01,
// contractor 02, visitor 03), stored as identity_code on people.
var identityCodes = map[string]string{"internal": "01", "contractor": "02", "visitor": "03"}

type registryDoc struct {
	People   []map[string]any `json:"people"`
	Vehicles []map[string]any `json:"vehicles"`
	Users    []struct {
		Username string `json:"username"`
		Role     string `json:"role"`
		Person   string `json:"person"`
	} `json:"users"`
}

// registry is the decoded registry.json.
type registry struct {
	people, vehicles []*twin.Entity
	users            []DemoUser
}

// decodeRegistry reads the people, vehicles and users of registry.json and
// checks what can be checked without the layers (post areas are checked
// with the references).
func decodeRegistry(r report, data []byte) registry {
	var doc registryDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		r.add("", "%s", jsonReason(err, 0))
		return registry{}
	}
	var reg registry
	tags := map[string]string{}
	for i, m := range doc.People {
		if e := registryEntity(r, twin.KindPerson, i, m, tags); e != nil {
			checkPerson(r, e)
			reg.people = append(reg.people, e)
		}
	}
	for i, m := range doc.Vehicles {
		if e := registryEntity(r, twin.KindVehicle, i, m, tags); e != nil {
			if v, ok := e.Props["max_speed_kmh"].(float64); ok && v <= 0 {
				r.add(e.ID, "max_speed_kmh %v must be above 0", v)
			}
			reg.vehicles = append(reg.vehicles, e)
		}
	}
	reg.users = decodeUsers(r, doc, reg.people)
	return reg
}

// registryEntity turns one person or vehicle into an entity; tags maps tags
// already taken to their holder.
func registryEntity(r report, kind twin.Kind, i int, m map[string]any, tags map[string]string) *twin.Entity {
	schema := personFields
	if kind == twin.KindVehicle {
		schema = vehicleFields
	}
	str := func(key string) string {
		v, err := coerce(m[key], fString, nil)
		s, _ := v.(string)
		if err != nil {
			r.add(fmt.Sprintf("%s %d", kind, i+1), "%s: %v", key, err)
		}
		return s
	}
	id, name, tag := str(propID), str(propName), str("tag")
	if id == "" {
		r.add(fmt.Sprintf("%s %d", kind, i+1), "missing id")
		return nil
	}
	if name == "" {
		r.add(id, "missing name")
	}
	props := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		if k == propID || k == propName || k == "tag" || m[k] == nil {
			continue
		}
		v := m[k]
		if t, ok := schema[k]; ok {
			var err error
			if v, err = coerce(v, t, objectFields[k]); err != nil {
				r.add(id, "%s: %v", k, err)
				continue
			}
			if err := checkEnum(k, v); v != nil && err != nil {
				r.add(id, "%v", err)
			}
		}
		if v != nil {
			props[k] = v
		}
	}
	if tag != "" {
		if holder, taken := tags[tag]; taken {
			r.add(id, "tag %s is also held by %s", tag, holder)
		} else {
			tags[tag] = id
		}
	}
	return &twin.Entity{ID: id, Kind: kind, Name: name, Props: props,
		Mobile: &twin.Mobile{Tag: tag, Battery: math.NaN()}}
}

func checkPerson(r report, e *twin.Entity) {
	it := e.String("identity_type")
	if it == "" {
		r.add(e.ID, "missing identity_type (internal, contractor or visitor)")
	} else if code, ok := identityCodes[it]; ok {
		e.Props["identity_code"] = code
	}
	certs, _ := e.Props["certificates"].([]any)
	for i, c := range certs {
		exp, ok := c.(map[string]any)["expires"].(string)
		if _, err := time.Parse(time.DateOnly, exp); ok && err != nil {
			r.add(e.ID, "certificates item %d: expires %q: want YYYY-MM-DD", i+1, exp)
		}
	}
}

func decodeUsers(r report, doc registryDoc, people []*twin.Entity) []DemoUser {
	byID := make(map[string]*twin.Entity, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	seen := map[string]bool{}
	var users []DemoUser
	for i, u := range doc.Users {
		label := u.Username
		if label == "" {
			r.add(fmt.Sprintf("user %d", i+1), "missing username")
			continue
		}
		if seen[label] {
			r.add(label, "duplicate username")
		}
		seen[label] = true
		if !slices.Contains(UserRoles, u.Role) {
			r.add(label, "unknown role %q (want one of %s)", u.Role, strings.Join(UserRoles, ", "))
		}
		switch p := byID[u.Person]; {
		case p == nil:
			r.add(label, "person %q is not in the registry", u.Person)
		case p.Mobile.Tag == "":
			r.add(label, "person %s has no tag", u.Person)
		}
		users = append(users, DemoUser{Username: u.Username, Role: u.Role, PersonID: u.Person})
	}
	return users
}
