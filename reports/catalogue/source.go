package catalogue

import (
	"fmt"
	"regexp"
	"strings"
)

var docRefRE = regexp.MustCompile(`^([A-Z])§(\S+)$`)

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
