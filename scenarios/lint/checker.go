package lint

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// Action is the static side of a step action (apply, patch, ...): the runner's operations
// implement it, so that lint and runner share one table of actions.
type Action interface {
	// Key is the step field that selects the action (apply, patch, ...).
	Key() string
	// Used reports whether st does this action.
	Used(st *v1alpha1.Step) bool
	// Validate reports, through c, what is wrong with the action as st gives it.
	Validate(c *Checker, st *v1alpha1.Step)
}

// Subject is what an expectation is about.
type Subject int

// Subjects, combinable.
const (
	AboutObject Subject = 1 << iota
	AboutBucket
)

// Check is the static side of one kind of expectation (a field, a condition, ...).
type Check interface {
	// Keys are the expectation fields the check reads, in the order they are reported.
	Keys() []string
	// About says which subjects the check applies to.
	About() Subject
	// Used reports whether e says something this check verifies.
	Used(e *v1alpha1.Expectation) bool
	// Validate reports, through c, what is wrong with what e says.
	Validate(c *Checker, e *v1alpha1.Expectation)
}

// Checker is what Validate reports through. It also knows the expectation item being
// checked (its subject and kind) and the claims of the other items of the same step, to find
// items that cannot all hold.
type Checker struct {
	fl     *fileLinter
	claims map[string]claim
	item   *itemCtx
}

type claim struct {
	value string
	node  *yaml.Node
}

type itemCtx struct {
	subject string
	info    v1alpha1.KindInfo
	// needs: the item reads the subject's contents (so the subject must exist).
	needs bool
	// misspelt: the item has a key the format does not know (reported already).
	misspelt bool
}

// Add reports a finding at node n (line 1 column 1 when n is nil).
func (c *Checker) Add(n *yaml.Node, class, msg, hint string) { c.fl.add(n, class, msg, hint) }

// AddAt reports a finding at a line and column.
func (c *Checker) AddAt(line, col int, class, msg, hint string) {
	c.fl.addAt(line, col, class, msg, hint)
}

// KeyNode is the node of key in src's mapping (the key itself, where a finding about that
// field belongs), else src's node.
func (c *Checker) KeyNode(src v1alpha1.Source, key string) *yaml.Node {
	if k := v1alpha1.KeyNode(src.Node, key); k != nil {
		return k
	}
	return src.Node
}

// Ref checks an object reference (kind, name, namespace) and returns the kind's information.
func (c *Checker) Ref(src v1alpha1.Source, kind, name, namespace string) (v1alpha1.KindInfo, bool) {
	info, ok := c.fl.kind(src.Field("kind"), kind)
	if ok {
		c.fl.nameNS(src, info, kind, name, namespace)
	}
	return info, ok
}

// Object checks an inline manifest (given.objects, apply), also against the kind's API schema.
func (c *Checker) Object(o *v1alpha1.Object, given bool) { c.fl.object(o, given) }

// Subject names the expectation item being validated ("Config cluster").
func (c *Checker) Subject() string { return c.item.subject }

// Info is the kind of the expectation item being validated (zero for a bucket).
func (c *Checker) Info() v1alpha1.KindInfo { return c.item.info }

// Misspelt reports whether the item has a key the format does not know: it was reported as
// such, so "nothing is said about ..." would only repeat it.
func (c *Checker) Misspelt() bool { return c.item.misspelt }

// NeedsSubject records that the item reads its subject's contents: an item of the same step
// that expects the subject absent contradicts it.
func (c *Checker) NeedsSubject() { c.item.needs = true }

// Claim records that this step expects the item's subject to have value for key (within a
// category, e.g. "field" and a path). Another item of the step claiming a different value
// for the same key is reported at n; what describes the claim in that message.
func (c *Checker) Claim(category, key, value string, n *yaml.Node, what string) {
	k := category + "\x00" + c.item.subject + "\x00" + key
	prev, ok := c.claims[k]
	if !ok {
		c.claims[k] = claim{value, n}
		return
	}
	if prev.value != value {
		c.contradiction(n, what, prev)
	}
}

func (c *Checker) contradiction(n *yaml.Node, what string, prev claim) {
	c.Add(n, ClassImpossible, fmt.Sprintf("this step expects %s, which contradicts line %d", what, prev.node.Line),
		"one of the two is wrong; if the state changes over time, put them in separate steps")
}
