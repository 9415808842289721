package apischema

import (
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Go types that serialise as something other than their fields.
var special = map[reflect.Type]*Node{
	reflect.TypeOf(metav1.Time{}):          {Type: String},
	reflect.TypeOf(metav1.MicroTime{}):     {Type: String},
	reflect.TypeOf(metav1.Duration{}):      {Type: String},
	reflect.TypeOf(resource.Quantity{}):    {Type: IntOrString},
	reflect.TypeOf(intstr.IntOrString{}):   {Type: IntOrString},
	reflect.TypeOf(runtime.RawExtension{}): {Type: Any},
	reflect.TypeOf(metav1.FieldsV1{}):      {Type: Any},
}

// FromGoType is the schema of a Go API type, read from its json tags.
func FromGoType(t reflect.Type) *Node {
	return (&goWalker{seen: map[reflect.Type]*Node{}}).node(t)
}

type goWalker struct {
	seen map[reflect.Type]*Node // recursion guard (and sharing)
}

func (w *goWalker) node(t reflect.Type) *Node {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n, ok := special[t]; ok {
		return n
	}
	if n, ok := w.seen[t]; ok {
		return n
	}
	if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
		if t.Kind() != reflect.Struct {
			return w.scalar(t)
		}
		// A struct with its own JSON form (not listed above): do not guess its shape.
		return anyNode
	}
	switch t.Kind() {
	case reflect.Struct:
		n := &Node{Type: Object, Fields: map[string]*Node{}}
		w.seen[t] = n
		w.fields(t, n)
		return n
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Node{Type: String} // []byte is base64 text
		}
		return &Node{Type: Array, Items: w.node(t.Elem())}
	case reflect.Map:
		return &Node{Type: Object, Values: w.node(t.Elem())}
	case reflect.Interface:
		return anyNode
	}
	return w.scalar(t)
}

func (w *goWalker) scalar(t reflect.Type) *Node {
	switch t.Kind() {
	case reflect.String:
		return &Node{Type: String}
	case reflect.Bool:
		return &Node{Type: Boolean}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Node{Type: Integer}
	case reflect.Float32, reflect.Float64:
		return &Node{Type: Number}
	}
	return anyNode
}

// fields adds t's serialised fields to n; embedded structs without a json name are inlined,
// as encoding/json does.
func (w *goWalker) fields(t reflect.Type, n *Node) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if (f.Anonymous && name == "") || strings.Contains(","+opts+",", ",inline,") {
			if ft.Kind() == reflect.Struct {
				w.fields(ft, n)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		n.Fields[name] = w.node(f.Type)
	}
}

var jsonMarshaler = reflect.TypeOf((*interface{ MarshalJSON() ([]byte, error) })(nil)).Elem()

// metaType is metav1.ObjectMeta, named here for the CRD schemas' metadata.
type metaType = metav1.ObjectMeta
