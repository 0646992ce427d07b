package jose

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Member is one name/value pair of a JSON object, kept as raw JSON.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Object is a JSON object that keeps its member order and may hold the same
// name twice. encoding/json maps can do neither, and both matter here: the
// duplicate-member probes (RFC 7515 §4, RFC 7519 §4) need "alg" or "iss"
// twice, in a chosen order, in the bytes that are signed.
type Object []Member

// raw marshals v to JSON, panicking only on values no JSON encoder accepts
// (channels, funcs) which the package never passes.
func raw(v any) json.RawMessage {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("jose: cannot marshal %T: %v", v, err))
	}
	return b
}

// Get returns the value of the last member called name: the one a
// last-wins parser (RFC 7519 §4 allows it) would see.
func (o Object) Get(name string) (json.RawMessage, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Name == name {
			return o[i].Value, true
		}
	}
	return nil, false
}

// Has reports whether a member called name exists.
func (o Object) Has(name string) bool {
	_, ok := o.Get(name)
	return ok
}

// Count is how many members are called name.
func (o Object) Count(name string) int {
	n := 0
	for _, m := range o {
		if m.Name == name {
			n++
		}
	}
	return n
}

// Set gives name the value v: the first member of that name is replaced and
// any later duplicates removed; a new name is appended.
func (o Object) Set(name string, v any) Object {
	out := make(Object, 0, len(o)+1)
	done := false
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
			continue
		}
		if !done {
			out = append(out, Member{name, raw(v)})
			done = true
		}
	}
	if !done {
		out = append(out, Member{name, raw(v)})
	}
	return out
}

// Add appends a member even when the name is already present.
func (o Object) Add(name string, v any) Object {
	return append(o.clone(), Member{name, raw(v)})
}

// Del removes every member called name.
func (o Object) Del(name string) Object {
	out := make(Object, 0, len(o))
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
		}
	}
	return out
}

func (o Object) clone() Object { return append(Object(nil), o...) }

// Bytes is the object's JSON text, members in order, no whitespace.
func (o Object) Bytes() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(raw(m.Name))
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// String returns a JSON string member's value, "" when absent or not a string.
func (o Object) String(name string) string {
	v, ok := o.Get(name)
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}
