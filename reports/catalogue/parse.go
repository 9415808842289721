package catalogue

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

var (
	rowRE     = regexp.MustCompile(`^\|\s*([A-Z0-9]+-\d{3})\s*\|`)
	headingRE = regexp.MustCompile(`^##\s+(.*)$`)
	docRefRE  = regexp.MustCompile(`^([A-Z])§(\S+)$`)
	divNoteRE = regexp.MustCompile(`\*\*DIVERGES\*\*:?\s*(.*)$`)
)

// RowIDs returns the ID of every `| XXX-NNN |` row of a behaviors.md, in order (a plain
// scan, independent of Parse, so that a test can check Parse misses none).
func RowIDs(md []byte) []string {
	var ids []string
	for _, line := range strings.Split(string(md), "\n") {
		if m := rowRE.FindStringSubmatch(line); m != nil {
			ids = append(ids, m[1])
		}
	}
	return ids
}

// Parse reads behaviors.md into a Catalogue.
func Parse(md []byte) (Catalogue, error) {
	c := Catalogue{Source: "shared/spec/behaviors.md", Documents: append([]Document(nil), knownDocuments...)}
	group := ""
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if m := headingRE.FindStringSubmatch(line); m != nil {
			group = strings.TrimSpace(m[1])
			continue
		}
		if !rowRE.MatchString(line) {
			continue
		}
		b, err := parseRow(line)
		if err != nil {
			return Catalogue{}, fmt.Errorf("behaviors.md:%d: %w", n, err)
		}
		b.Group = group
		c.Behaviors = append(c.Behaviors, b)
	}
	if err := sc.Err(); err != nil {
		return Catalogue{}, err
	}
	if len(c.Behaviors) == 0 {
		return Catalogue{}, fmt.Errorf("behaviors.md: no behaviour rows found")
	}
	c.reindex()
	if len(c.index) != len(c.Behaviors) {
		return Catalogue{}, fmt.Errorf("behaviors.md: duplicate IDs")
	}
	return c, nil
}

func parseRow(line string) (Behavior, error) {
	// | ID | tier | rule |  — the rule may itself contain '|' inside code, so only the
	// first two separators after the leading one split cells.
	s := strings.TrimSpace(line)
	s = strings.TrimPrefix(s, "|")
	s = strings.TrimSuffix(s, "|")
	parts := strings.SplitN(s, "|", 3)
	if len(parts) != 3 {
		return Behavior{}, fmt.Errorf("row needs 3 cells: %q", line)
	}
	id := strings.TrimSpace(parts[0])
	source := strings.TrimSpace(parts[1])
	rule := strings.TrimSpace(parts[2])
	refs, tier, err := parseSource(source)
	if err != nil {
		return Behavior{}, fmt.Errorf("%s: %w", id, err)
	}
	b := Behavior{ID: id, Area: AreaOf(id), Tier: tier, Source: source, Refs: refs, Rule: rule}
	if strings.Contains(rule, "DIVERGES") {
		b.Divergence = true
		if m := divNoteRE.FindStringSubmatch(rule); m != nil {
			b.DivergenceNote = strings.TrimSpace(m[1])
		}
	}
	return b, nil
}

// parseSource reads the tier column: "doc A§cloud", "up STOR-S3-08", "own",
// "doc A§storage, up S3-11", "up COND-AV-03, PR-02" (a piece without a kind keeps the
// previous kind).
func parseSource(src string) ([]Ref, Tier, error) {
	var refs []Ref
	var tier Tier
	kind := Tier("")
	for _, piece := range strings.Split(src, ",") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		fields := strings.Fields(piece)
		switch Tier(fields[0]) {
		case TierDoc, TierUp, TierOwn:
			kind = Tier(fields[0])
			fields = fields[1:]
		}
		if kind == "" {
			return nil, "", fmt.Errorf("source %q: no tier (doc/up/own)", src)
		}
		if tier == "" {
			tier = kind
		}
		if kind == TierOwn {
			if len(fields) > 0 {
				return nil, "", fmt.Errorf("source %q: own takes no reference", src)
			}
			continue
		}
		if len(fields) != 1 {
			return nil, "", fmt.Errorf("source %q: bad reference %q", src, piece)
		}
		ref := fields[0]
		if kind == TierDoc {
			m := docRefRE.FindStringSubmatch(ref)
			if m == nil {
				return nil, "", fmt.Errorf("source %q: document reference %q is not X§section", src, ref)
			}
			refs = append(refs, Ref{Kind: TierDoc, Document: m[1], Section: m[2]})
		} else {
			refs = append(refs, Ref{Kind: TierUp, Key: ref})
		}
	}
	if tier == "" {
		return nil, "", fmt.Errorf("empty source")
	}
	return refs, tier, nil
}
