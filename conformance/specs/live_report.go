package specs

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/irconform/irconform/conformance/livecheck"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/reports"
)

// interrupted is true when the run was stopped before its end (Ctrl-C); Run returns it.
var interrupted bool

// annotateRun adds what the Ginkgo report cannot say: that a live run is live (also when
// the target never came up, e.g. interrupted while connecting), that the run was
// interrupted, and the release notes of passing live checks.
func annotateRun(run *reports.Run, r types.Report) {
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.Contains(reason, "Interrupted") {
			run.Interrupted = true
		}
	}
	interrupted = run.Interrupted
	if suiteOpts.Kubeconfig != "" {
		run.Target.Kind = target.KindLive
		run.Simulated = nil
		if run.Target.Mode == "" {
			run.Target.Mode = "read-only"
			if suiteOpts.Disruptive {
				run.Target.Mode = "disruptive"
			}
		}
		if run.Target.Server == "" || run.Target.Server == "envtest" {
			run.Target.Server = kubeconfigServer(suiteOpts.Kubeconfig, suiteOpts.Context)
		}
	}
	notes := map[string]string{}
	for _, s := range r.SpecReports {
		for _, e := range s.ReportEntries {
			if e.Name == noteEntry {
				notes[s.FullText()+"\x00"+location(repoRoot(), s.LeafNodeLocation)] = e.StringRepresentation()
			}
		}
	}
	for i := range run.Specs {
		if n, ok := notes[run.Specs[i].Name+"\x00"+run.Specs[i].Source]; ok {
			run.Specs[i].Note = n
		}
	}
}

// kubeconfigServer is the API server a kubeconfig points at, credentials stripped.
func kubeconfigServer(path, kubecontext string) string {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubecontext}).ClientConfig()
	if err != nil {
		return ""
	}
	u, err := url.Parse(cfg.Host)
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}

// LiveHeader is the line a live run starts with: where, which release, what mode, and what
// the account may not read (said once, before any check runs).
func LiveHeader(l *target.Live) string {
	var b strings.Builder
	version := l.Version
	if version == "" {
		version = "version unknown"
	} else {
		version = "OpenShift " + version
	}
	mode := "read-only"
	if l.Disruptive {
		mode = "disruptive"
	}
	platform := l.Platform
	if platform == "" {
		platform = "platform unknown"
	}
	fmt.Fprintf(&b, "irconform: live cluster %s · %s · %s · %s\n", l.Server(), version, platform, mode)
	switch {
	case l.Release.IsZero() && l.Version != "":
		fmt.Fprintf(&b, "  release: version %q names no release irconform knows: judged by the newest known shapes (%s)\n", l.Version, livecheck.Newest)
	case l.Release.IsZero():
		fmt.Fprintf(&b, "  release: unknown (no readable ClusterVersion or ClusterOperator version): judged by the newest known shapes (%s)\n", livecheck.Newest)
	case !l.Release.Known():
		fmt.Fprintf(&b, "  release: %s is not one irconform knows (%s to %s): judged as %s\n", l.Release, livecheck.Oldest, livecheck.Newest, l.Release.JudgedAs())
	default:
		fmt.Fprintf(&b, "  release: %s (from %s); older shapes are judged as that release had them\n", l.Release, l.ReleaseFrom)
	}
	if denied := livecheck.DeniedSummary(l.Access); denied != "" {
		fmt.Fprintf(&b, "  account: %s\n", denied)
	}
	return strings.TrimRight(b.String(), "\n")
}

// liveScreen is the terminal verdict of a live run: totals first, then every live check,
// failures first, each failure with its one-line finding and fix, each skip with its reason.
func liveScreen(run reports.Run, dir string) string {
	run = run.Redacted(reports.DefaultRedactor())
	var fails, notHonoured, skips, passes []reports.Spec
	others := 0
	for _, s := range run.Specs {
		if !hasLabel(s.Labels, "live") {
			others++
			continue
		}
		switch {
		case s.Result == reports.Failed && s.Divergence:
			notHonoured = append(notHonoured, s)
		case s.Result == reports.Failed:
			fails = append(fails, s)
		case s.Result == reports.Skipped:
			skips = append(skips, s)
		case s.Result == reports.Passed:
			passes = append(passes, s)
		}
	}
	var b strings.Builder
	verdict := "PASS"
	switch {
	case run.Interrupted:
		verdict = "INTERRUPTED (partial results)"
	case len(fails) > 0:
		verdict = "FAIL"
	case len(notHonoured) > 0:
		verdict = "PASS, documented behaviour not honoured"
	}
	fmt.Fprintf(&b, "irconform: %s — %s\n", verdict, reports.TargetLine(run.Target))
	fmt.Fprintf(&b, "%d live specs: %d passed, %d failed, %d documented-not-honoured, %d skipped · %d envtest-only specs not run · %s\n",
		len(fails)+len(notHonoured)+len(skips)+len(passes), len(passes), len(fails), len(notHonoured), len(skips), others,
		run.Duration.Std().Round(100*time.Millisecond))
	name := func(s reports.Spec) string {
		return strings.TrimPrefix(s.Name, "Observed consistency ") + "  [" + strings.Join(s.Behaviors, " ") + "]"
	}
	line := func(tag string, s reports.Spec, detail []string) {
		fmt.Fprintf(&b, "\n %-4s %s\n", tag, name(s))
		for _, d := range detail {
			if d = strings.TrimSpace(d); d != "" {
				fmt.Fprintf(&b, "      %s\n", d)
			}
		}
	}
	for _, s := range fails {
		line("FAIL", s, strings.Split(s.Failure, "\n"))
	}
	for _, s := range notHonoured {
		line("DOC", s, append([]string{"documented, not honoured by this cluster's operator:"}, strings.Split(s.Failure, "\n")...))
	}
	// Skips that share a reason are said once, with the checks they cost.
	var reasons []string
	byReason := map[string][]reports.Spec{}
	for _, s := range skips {
		if _, ok := byReason[s.SkipReason]; !ok {
			reasons = append(reasons, s.SkipReason)
		}
		byReason[s.SkipReason] = append(byReason[s.SkipReason], s)
	}
	for _, reason := range reasons {
		group := byReason[reason]
		if len(group) == 1 {
			line("SKIP", group[0], []string{reason})
			continue
		}
		fmt.Fprintf(&b, "\n SKIP %s (%d checks):\n", reason, len(group))
		for _, s := range group {
			fmt.Fprintf(&b, "      %s\n", name(s))
		}
	}
	// Passes are the quiet part: one line each, the release note (if any) under it.
	if len(passes) > 0 {
		b.WriteString("\n")
	}
	for _, s := range passes {
		fmt.Fprintf(&b, " PASS %s\n", name(s))
		if s.Note != "" {
			fmt.Fprintf(&b, "      %s\n", s.Note)
		}
	}
	if dir != "" {
		fmt.Fprintf(&b, "\nReports: %s (open %s)\n", dir, filepath.Join(dir, reports.FileHTML))
	}
	return b.String()
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}

// printSummary prints the run's terminal summary: the live verdict screen on a live run,
// the per-area summary otherwise.
func printSummary(run reports.Run, dir string) {
	if suiteOpts.NoSummary {
		return
	}
	if run.Target.Kind == target.KindLive {
		fmt.Fprintln(terminal, redact.Default().Redact(liveScreen(run, dir)))
		return
	}
	fmt.Fprintln(terminal, reports.Summary(run, dir))
}
