package googleworkspace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Incremental nights. A full sweep reads tokens.list for every user: at the Admin SDK's ~2,400 calls a minute that
// is 21 minutes for 50,000 users, every night, to learn that almost nothing changed. With a state folder the
// provider keeps a checkpoint of each user's grants and when they were last confirmed; a night then re-reads only
// the users the token audit log shows an authorize or revoke event for since the last night (with auditOverlap for
// the log's reporting lag) and the users new or changed in users.list, and carries the other grants forward. A
// full sweep runs every full_sweep_every, when there is no usable checkpoint, when the audit log or users.list
// cannot be read whole, and on scan --full.

// auditOverlap is how far before the last night's start the audit log is searched for changes. Google documents
// that Reports API events can appear with a delay (the "data retention and lag times" page of the Admin help); a
// day of overlap covers it with a wide margin, at the cost of re-reading a few users twice.
const auditOverlap = 24 * time.Hour

const checkpointVersion = 1

// checkpoint is what the next night needs from this one. It is written atomically (temp file + rename).
type checkpoint struct {
	Version    int                        `json:"version"`
	Scope      string                     `json:"scope"` // customer or domain: a checkpoint of another tenant is ignored
	LastFull   time.Time                  `json:"last_full"`
	AuditUntil time.Time                  `json:"audit_until"` // when the night that wrote it started
	Users      map[string]*userCheckpoint `json:"users"`       // by userKey
}

type userCheckpoint struct {
	Fingerprint string       `json:"fp"` // "" forces a re-read next night (its tokens could not be read)
	Confirmed   time.Time    `json:"confirmed"`
	Grants      []savedGrant `json:"grants,omitempty"`
}

type savedGrant struct {
	ClientID    string   `json:"client_id"`
	DisplayText string   `json:"display_text,omitempty"`
	Anonymous   bool     `json:"anonymous,omitempty"`
	NativeApp   bool     `json:"native_app,omitempty"`
	Scopes      []string `json:"scopes,omitempty"`
}

// userKey identifies a user in the checkpoint: the immutable ID, else the email.
func userKey(u person) string {
	if u.ID != "" {
		return u.ID
	}
	return emailKey(u.Email)
}

// fingerprint changes when anything a grant's record carries about its user changes (moved OU, new department,
// suspended, renamed), so that such a user is re-read and its records are re-attributed.
func fingerprint(u person) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{strings.ToLower(u.Email), u.Name, u.OrgUnit, u.Department,
		fmt.Sprint(u.Suspended)}, "\x00")))
	return hex.EncodeToString(sum[:8])
}

func (p *provider) checkpointPath() string {
	if p.deps.StateDir == "" {
		return ""
	}
	name := p.deps.Name
	if name == "" {
		name = Type
	}
	if sh := p.deps.Shard; sh.Sharded() {
		name += fmt.Sprintf(".shard-%d-of-%d", sh.Index, sh.Count)
	}
	return filepath.Join(p.deps.StateDir, "checkpoints", name+".json")
}

func (p *provider) scopeKey() string { return p.cfg.Customer + "|" + p.cfg.Domain }

// loadCheckpoint returns the last night's checkpoint, or nil with the reason there is none to use.
func (p *provider) loadCheckpoint() (*checkpoint, string) {
	path := p.checkpointPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "no checkpoint yet (first night)"
	}
	if err != nil {
		return nil, fmt.Sprintf("checkpoint %s unreadable: %v", path, err)
	}
	var c checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Sprintf("checkpoint %s is not valid JSON (%v)", path, err)
	}
	switch {
	case c.Version != checkpointVersion:
		return nil, fmt.Sprintf("checkpoint version %d, this shadowscan writes %d", c.Version, checkpointVersion)
	case c.Scope != p.scopeKey():
		return nil, "checkpoint of another customer or domain"
	case c.Users == nil || c.AuditUntil.IsZero() || c.LastFull.IsZero():
		return nil, "checkpoint incomplete"
	}
	return &c, ""
}

// saveCheckpoint writes c atomically: a crash leaves the previous checkpoint or the new one, never half of one.
func (p *provider) saveCheckpoint(c *checkpoint) error {
	path := p.checkpointPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	enc := json.NewEncoder(tmp)
	if err := enc.Encode(c); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// sweepPlan is what one night reads: every user (full) or only the changed ones (incremental).
type sweepPlan struct {
	mode    string // "full" or "incremental"
	reason  string // why this mode
	reread  []person
	carried []person // incremental: users whose grants come from the checkpoint
	prev    *checkpoint
}

// planSweep decides the night's mode. users is this shard's users.list; aud the token audit log.
func (p *provider) planSweep(users []person, listOK bool, aud *auditLog, auditOK bool, started time.Time) sweepPlan {
	full := func(reason string, prev *checkpoint) sweepPlan {
		return sweepPlan{mode: "full", reason: reason, reread: users, prev: prev}
	}
	switch {
	case p.deps.StateDir == "":
		return full("no state folder", nil)
	case p.deps.FullSweep:
		return full("scan --full", nil)
	case p.cfg.FullSweepEvery == 0:
		return full("full_sweep_every is 0", nil)
	case !p.cfg.readsAudit():
		return full("mode tokens: no token audit log to find changes in", nil)
	}
	prev, why := p.loadCheckpoint()
	switch {
	case prev == nil:
		return full(why, nil)
	case !started.Before(prev.LastFull.Add(p.cfg.FullSweepEvery)):
		return full(fmt.Sprintf("the last full sweep was %s ago (full_sweep_every %s)", started.Sub(prev.LastFull).Round(time.Minute), p.cfg.FullSweepEvery), prev)
	case !listOK:
		return full("users.list was not read whole", prev)
	case !auditOK:
		return full("the token audit log could not be read", prev)
	case started.Add(-p.cfg.Lookback).After(prev.AuditUntil.Add(-auditOverlap)):
		return full("the last night is older than the audit lookback", prev)
	}
	changed := aud.activeSince(prev.AuditUntil.Add(-auditOverlap))
	pl := sweepPlan{mode: "incremental", prev: prev}
	for _, u := range users {
		c := prev.Users[userKey(u)]
		switch {
		case c == nil:
			pl.reread = append(pl.reread, u) // new user
		case c.Fingerprint != fingerprint(u):
			pl.reread = append(pl.reread, u) // changed in users.list, or not read last night
		case changed[u.ID] || changed[emailKey(u.Email)]:
			pl.reread = append(pl.reread, u) // authorize or revoke since the last night
		default:
			pl.carried = append(pl.carried, u)
		}
	}
	pl.reason = fmt.Sprintf("%d of %d users changed since %s", len(pl.reread), len(users), prev.AuditUntil.UTC().Format(time.RFC3339))
	return pl
}

// oldestConfirmation is when the least recently confirmed carried grant was last read.
func (pl sweepPlan) oldestConfirmation() time.Time {
	var t time.Time
	for _, u := range pl.carried {
		c := pl.prev.Users[userKey(u)]
		if len(c.Grants) > 0 && (t.IsZero() || c.Confirmed.Before(t)) {
			t = c.Confirmed
		}
	}
	return t
}

// nextCheckpoint is the checkpoint this night leaves: re-read users as read now, carried users as they were,
// users whose tokens could not be read marked for a re-read, users gone from users.list dropped.
func (p *provider) nextCheckpoint(pl sweepPlan, res *sweepResult, started time.Time) *checkpoint {
	c := &checkpoint{Version: checkpointVersion, Scope: p.scopeKey(), AuditUntil: started, Users: map[string]*userCheckpoint{}}
	if pl.mode == "full" {
		c.LastFull = started
	} else {
		c.LastFull = pl.prev.LastFull
	}
	for _, u := range pl.carried {
		c.Users[userKey(u)] = pl.prev.Users[userKey(u)]
	}
	res.mu.Lock()
	defer res.mu.Unlock()
	for _, u := range pl.reread {
		k := userKey(u)
		if g, ok := res.got[k]; ok {
			c.Users[k] = &userCheckpoint{Fingerprint: fingerprint(u), Confirmed: started, Grants: g}
			continue
		}
		// Not read this night (an error, or the user was deleted meanwhile): keep what was known, re-read next time.
		if old := pl.prevUser(k); old != nil {
			c.Users[k] = &userCheckpoint{Confirmed: old.Confirmed, Grants: old.Grants}
		} else {
			c.Users[k] = &userCheckpoint{}
		}
	}
	return c
}

func (pl sweepPlan) prevUser(k string) *userCheckpoint {
	if pl.prev == nil {
		return nil
	}
	return pl.prev.Users[k]
}

// emitCarried emits the carried users' grants from the checkpoint, joined to the audit log as a read grant is, and
// marks the users as read: no event since their last confirmation means their tokens are what was read then.
func (p *provider) emitCarried(pl sweepPlan, aud *auditLog, res *sweepResult, out *scanner.Emitter) error {
	for _, u := range pl.carried {
		c := pl.prev.Users[userKey(u)]
		res.mu.Lock()
		res.read[strings.ToLower(u.Email)] = true
		if u.ID != "" {
			res.read[u.ID] = true
		}
		res.mu.Unlock()
		for _, sg := range c.Grants {
			g := grant{user: u, clientID: sg.ClientID, displayText: sg.DisplayText, anonymous: sg.Anonymous,
				nativeApp: sg.NativeApp, scopes: sg.Scopes, source: sourceTokens}
			if aud != nil {
				g.audit = aud.claim(u, sg.ClientID)
			}
			rec := p.record(g)
			rec.Attributes["last_confirmed"] = c.Confirmed.UTC().Format(time.RFC3339)
			if err := out.Send(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// reportPlan says in the coverage (skipped) which mode ran and how fresh the oldest carried grant is.
func (p *provider) reportPlan(pl sweepPlan, users int) {
	if p.deps.StateDir == "" {
		return
	}
	if pl.mode == "full" {
		p.deps.Diagnostics.Skip(fmt.Sprintf("token sweep: full (%d users read; %s)", users, pl.reason))
		p.log.Info().Str("sweep", "full").Str("why", pl.reason).Int("users", users).Msg("token sweep mode")
		return
	}
	oldest := pl.oldestConfirmation()
	msg := fmt.Sprintf("token sweep: incremental (%s; %d users' grants carried forward", pl.reason, len(pl.carried))
	if !oldest.IsZero() {
		msg += ", the oldest last confirmed " + oldest.UTC().Format(time.RFC3339)
	}
	msg += fmt.Sprintf("; next full sweep due %s)", pl.prev.LastFull.Add(p.cfg.FullSweepEvery).UTC().Format(time.RFC3339))
	p.deps.Diagnostics.Skip(msg)
	p.log.Info().Str("sweep", "incremental").Int("users_read", len(pl.reread)).Int("users_carried", len(pl.carried)).
		Time("oldest_confirmed", oldest).Msg("token sweep mode")
}
