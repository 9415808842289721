package livecheck

import (
	"fmt"
	"strings"
)

// Result of one check.
type Result string

const (
	Pass Result = "pass"
	Fail Result = "fail"
	Skip Result = "skip"
)

// Finding is one thing found wrong: an object's field, what it is and what it should be.
type Finding struct {
	// Object as a person types it: "configs.imageregistry.operator.openshift.io/cluster".
	Object string
	// Field path: "spec.managementState", "env REGISTRY_LOG_LEVEL", "args --prune-registry".
	Field     string
	Seen      string
	Want      string
	Behaviour string
}

// Line is the finding in one line: `<object> <field>: is <seen>, want <want> (<ID>)`.
func (f Finding) Line() string {
	subject := f.Object
	if f.Field != "" {
		subject += " " + f.Field
	}
	return fmt.Sprintf("%s: is %s, want %s (%s)", subject, f.Seen, f.Want, f.Behaviour)
}

// Verdict is what a check concludes.
type Verdict struct {
	Result Result
	// Findings (Fail): the first is the headline.
	Findings []Finding
	// Remedy (Fail): the documented fix as a command, when there is one.
	Remedy string
	// Detail (Fail): one more line of context (what the operator itself reports).
	Detail string
	// Reason (Skip): why the check could not judge, in words a person understands.
	Reason string
	// Note (Pass, Fail): how the release was taken into account ("as in release 4.4: ...").
	Note string
}

// Message is the failure text: headline first, then the remedy, the other findings and
// the detail. The first line always names object, field, seen, want and behaviour.
func (v Verdict) Message() string {
	if v.Result != Fail || len(v.Findings) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(v.Findings[0].Line())
	if v.Remedy != "" {
		b.WriteString("\n  fix: " + v.Remedy)
	}
	for _, f := range v.Findings[1:] {
		b.WriteString("\n  also: " + f.Line())
	}
	if v.Detail != "" {
		b.WriteString("\n  " + v.Detail)
	}
	if v.Note != "" {
		b.WriteString("\n  " + v.Note)
	}
	return b.String()
}

func passed(note string) Verdict         { return Verdict{Result: Pass, Note: note} }
func skipped(reason string) Verdict      { return Verdict{Result: Skip, Reason: reason} }
func failed(fs ...Finding) Verdict       { return Verdict{Result: Fail, Findings: fs} }
func (v Verdict) fix(cmd string) Verdict { v.Remedy = cmd; return v }
func (v Verdict) detail(d string) Verdict {
	v.Detail = d
	return v
}
func (v Verdict) note(n string) Verdict { v.Note = n; return v }

// judge turns a list of findings into a verdict: pass (with note) when empty.
func judge(fs []Finding, note string) Verdict {
	if len(fs) == 0 {
		return passed(note)
	}
	return failed(fs...).note(note)
}

// asIn words a pass that holds because the cluster runs an older release.
func asIn(r Release, what string) string { return "as in release " + r.String() + ": " + what }

// quote shows a value in a finding: strings quoted, "" for empty, "absent" as is.
func quote(s string) string { return fmt.Sprintf("%q", s) }

// Documented remedies (product documentation, doc A§baremetal and doc A§route).
const (
	RemedyManaged      = `oc patch configs.imageregistry.operator.openshift.io/cluster --type merge -p '{"spec":{"managementState":"Managed"}}'`
	RemedyDefaultRoute = `oc patch configs.imageregistry.operator.openshift.io/cluster --type merge -p '{"spec":{"defaultRoute":true}}'`
	// RemedyOperatorLog: for objects the operator owns, the fix is the operator's, and its
	// log says why it did not (or could not) write them.
	RemedyOperatorLog = `oc -n openshift-image-registry logs deployment/cluster-image-registry-operator`
)

// remedyRemoveBackend is the JSON patch that removes one storage backend from the spec.
func remedyRemoveBackend(backend string) string {
	return fmt.Sprintf(`oc patch configs.imageregistry.operator.openshift.io/cluster --type json -p '[{"op":"remove","path":"/spec/storage/%s"}]'`, backend)
}
