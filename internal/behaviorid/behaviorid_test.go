package behaviorid

import (
	"reflect"
	"testing"
)

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"S3-003": true, "BOOT-011": true, "IBMCOS-001": true, "A1-999": true,
		"s3-003": false, "3S-003": false, "S3-03": false, "S3-0003": false, "S3003": false,
		"STOR-S3-08": false, "PRUNE-01": false, " S3-003": false, "S3-003 ": false, "": false,
		"platform:aws": false, "divergence": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestArea(t *testing.T) {
	for s, want := range map[string]string{"S3-003": "S3", "STATUS-010": "STATUS", "nope": "", "S3-03": ""} {
		if got := Area(s); got != want {
			t.Errorf("Area(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	got := Filter([]string{"BOOT-003", "platform:aws", "divergence", "S3-001", "S3-01"})
	if want := []string{"BOOT-003", "S3-001"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Filter = %v, want %v", got, want)
	}
}

func TestFindAll(t *testing.T) {
	for text, want := range map[string][]string{
		"// Implements S3-003.":                     {"S3-003"},
		"S3-003 S3-004,CA-006;PRUNE-003..005":       {"S3-003", "S3-004", "CA-006", "PRUNE-003"},
		"(STOR-S3-08, MISC-01, BOOT-0011, aS3-003)": nil,
		"STOR-S3-008 x":                             nil,
		"BOOT-001":                                  {"BOOT-001"},
	} {
		if got := FindAll(text); !reflect.DeepEqual(got, want) {
			t.Errorf("FindAll(%q) = %v, want %v", text, got, want)
		}
	}
}
