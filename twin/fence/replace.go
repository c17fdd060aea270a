package fence

import (
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Replace swaps the fence set (fences edited over REST or in the scene).
// State carries over for fences that keep their id and rule; alarms of
// fences that are gone or changed rule are cleared at at. Memberships of
// kept fences are re-checked at each entity's next fix.
func (e *Engine) Replace(dst []Transition, set *Set, at time.Time) []Transition {
	if set == nil {
		set, _ = NewSet(nil, 0)
	}
	old, oldFs := e.set, e.fs
	e.install(set)
	same := func(f *Fence) *Fence {
		n := set.byID[f.ID]
		if n == nil || n.Rule != f.Rule {
			return nil
		}
		return n
	}
	for _, f := range old.fences {
		ofs := &oldFs[f.idx]
		n := same(f)
		if n == nil {
			if ofs.over.on {
				dst = append(dst, clearOf(fenceKey(alarm.Overcrowding, f), at))
			}
			if ofs.under.on {
				dst = append(dst, clearOf(fenceKey(alarm.Understaffing, f), at))
			}
			for _, ps := range ofs.posts {
				if ps.deb.on {
					dst = append(dst, clearOf(e.postKey(ps), at))
				}
			}
			continue
		}
		nfs := &e.fs[n.idx]
		nfs.over, nfs.under = ofs.over, ofs.under
		for _, ps := range ofs.posts {
			ps.f = n
			nfs.posts[ps.t.sub.ID] = ps
		}
	}
	for _, t := range e.tracks {
		keep := t.members[:0]
		for _, m := range t.members {
			n := same(m.f)
			if n == nil {
				if m.deb.on {
					dst = append(dst, clearOf(e.memberKey(m), at))
				}
				continue
			}
			m.f = n
			e.fs[n.idx].members[t.sub.ID] = m
			keep = append(keep, m)
		}
		clear(t.members[len(keep):])
		t.members = keep
		t.posts = t.posts[:0]
		for _, f := range set.fences {
			if ps := e.fs[f.idx].posts[t.sub.ID]; ps != nil {
				t.posts = append(t.posts, ps)
			}
		}
		dst = e.assignPosts(dst, t, at)
	}
	return dst
}
