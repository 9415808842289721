package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

const schemaPrefix = "irconform.io/report/"

var schemaRE = regexp.MustCompile(`^irconform\.io/report/v(\d+)(?:[.\-][0-9A-Za-z.\-]*)?$`)

// SchemaMajor returns the major version of a report schema string ("irconform.io/report/v1" → 1).
func SchemaMajor(schema string) (int, error) {
	m := schemaRE.FindStringSubmatch(schema)
	if m == nil {
		if schema == "" {
			return 0, fmt.Errorf("no \"schema\" field: not an irconform report (want %q)", SchemaVersion)
		}
		return 0, fmt.Errorf("schema %q is not an irconform report schema (want %q)", schema, SchemaVersion)
	}
	return strconv.Atoi(m[1])
}

func currentMajor() int {
	n, err := SchemaMajor(SchemaVersion)
	if err != nil {
		panic(err)
	}
	return n
}

// MarshalRun renders run as indented JSON after redaction with the default redactor. An
// empty Schema is set to SchemaVersion.
func MarshalRun(run Run) ([]byte, error) {
	if run.Schema == "" {
		run.Schema = SchemaVersion
	}
	run = run.Redacted(DefaultRedactor())
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteJSON writes run as report.json (redacted, atomically).
func WriteJSON(path string, run Run) error {
	data, err := MarshalRun(run)
	if err != nil {
		return fmt.Errorf("report json: %w", err)
	}
	return writeFileAtomic(path, data)
}

// UnmarshalRun parses report.json content, refusing a schema of another major version.
func UnmarshalRun(data []byte) (Run, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return Run{}, fmt.Errorf("not a JSON report: %w", err)
	}
	major, err := SchemaMajor(head.Schema)
	if err != nil {
		return Run{}, err
	}
	if cur := currentMajor(); major != cur {
		if major > cur {
			return Run{}, fmt.Errorf("report schema %q is newer than this irconform understands (%s): use a newer irconform", head.Schema, SchemaVersion)
		}
		return Run{}, fmt.Errorf("report schema %q is older than this irconform understands (%s)", head.Schema, SchemaVersion)
	}
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		return Run{}, fmt.Errorf("report json: %w", err)
	}
	return run, nil
}

// ReadJSON reads a report.json.
func ReadJSON(path string) (Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Run{}, err
	}
	run, err := UnmarshalRun(data)
	if err != nil {
		return Run{}, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	return nil
}
