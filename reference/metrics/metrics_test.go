package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func scrape(t *testing.T, r *Recorder) string {
	t.Helper()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecorder(t *testing.T) {
	r := New()
	r.StorageType("EmptyDir")
	r.StorageType("S3")
	r.StorageReconfigured()
	r.PrunerInstallStatus(true, false)
	out := scrape(t, r)
	for _, want := range []string{
		`image_registry_storage_type{storage="EmptyDir"} 1`,
		`image_registry_storage_type{storage="S3"} 1`,
		`image_registry_operator_storage_reconfigured_total 1`,
		`image_registry_operator_image_pruner_install_status 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q:\n%s", want, out)
		}
	}
	r.PrunerInstallStatus(true, true)
	if out := scrape(t, r); !strings.Contains(out, "image_registry_operator_image_pruner_install_status 2") {
		t.Errorf("enabled pruner:\n%s", out)
	}
	r.PrunerInstallStatus(false, false)
	if out := scrape(t, r); !strings.Contains(out, "image_registry_operator_image_pruner_install_status 0") {
		t.Errorf("no pruner:\n%s", out)
	}
	var none *Recorder
	none.StorageType("S3") // a nil Recorder records nothing and does not panic
	none.StorageReconfigured()
	none.PrunerInstallStatus(true, true)
}
