package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	azcontainer "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// newClient builds the azblob client the way the operator does (shared key), without
// retries so that injected faults surface at once.
func newClient(t *testing.T, endpoint, account, key string) *azblob.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(endpoint, cred, &azblob.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1, TryTimeout: 10 * time.Second}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// outcome renders an error the way the comparison needs it: status + service error code.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("%d %s", re.StatusCode, re.ErrorCode)
	}
	return "error: " + err.Error()
}

func metaString(m map[string]*string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+deref(v, ""))
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// runSequence drives the same azblob calls against any blob endpoint and returns one line
// per observable answer. It is the basis of the Azurite differential test, so it records
// only what both servers should agree on (no ETags, times or request ids).
func runSequence(t *testing.T, endpoint, account, key string) []string {
	t.Helper()
	ctx := context.Background()
	cl := newClient(t, endpoint, account, key)
	var out []string
	add := func(step, res string) { out = append(out, step+": "+res) }
	const cname = "irc-seq"

	_, err := cl.CreateContainer(ctx, cname, &azblob.CreateContainerOptions{
		Metadata: map[string]*string{"Owner": to.Ptr("irconform"), "Purpose": to.Ptr("registry")},
	})
	add("create", outcome(err))
	_, err = cl.CreateContainer(ctx, cname, nil)
	add("create-dup", outcome(err))
	_, err = cl.CreateContainer(ctx, "Bad_Name", nil)
	add("create-invalid-name", outcome(err))

	cc := cl.ServiceClient().NewContainerClient(cname)
	props, err := cc.GetProperties(ctx, nil)
	add("props", outcome(err))
	if err == nil {
		add("props-meta", metaString(props.Metadata))
		add("props-lease", fmt.Sprintf("%v/%v", deref(props.LeaseStatus, ""), deref(props.LeaseState, "")))
		add("props-etag-set", fmt.Sprint(props.ETag != nil && *props.ETag != ""))
	}
	_, err = cl.ServiceClient().NewContainerClient("irc-missing").GetProperties(ctx, nil)
	add("props-missing", outcome(err))

	for _, n := range []string{"a.txt", "dir/b.txt", "dir/sub/c.txt"} {
		_, err = cl.UploadBuffer(ctx, cname, n, []byte("hello "+n), &azblob.UploadBufferOptions{
			Metadata: map[string]*string{"Kind": to.Ptr("test")},
		})
		add("upload "+n, outcome(err))
	}
	_, err = cl.UploadBuffer(ctx, "irc-missing", "x", []byte("x"), nil)
	add("upload-missing-container", outcome(err))

	// Staged blocks + block list.
	big := bytes.Repeat([]byte("0123456789abcdef"), 200<<10/16)
	_, err = cl.UploadStream(ctx, cname, "big.bin", bytes.NewReader(big), &azblob.UploadStreamOptions{BlockSize: 64 << 10})
	add("upload-stream", outcome(err))

	flat := func(opts *azblob.ListBlobsFlatOptions) string {
		var names []string
		p := cl.NewListBlobsFlatPager(cname, opts)
		pages := 0
		for p.More() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return outcome(err)
			}
			pages++
			for _, b := range page.Segment.BlobItems {
				s := fmt.Sprintf("%s(%d,%s)", deref(b.Name, ""), deref(b.Properties.ContentLength, -1),
					deref(b.Properties.ContentType, ""))
				if b.Metadata != nil {
					s += "{" + metaString(b.Metadata) + "}"
				}
				names = append(names, s)
			}
		}
		return fmt.Sprintf("pages=%d %s", pages, strings.Join(names, " "))
	}
	add("list-flat", flat(nil))
	add("list-flat-meta", flat(&azblob.ListBlobsFlatOptions{Include: azblob.ListBlobsInclude{Metadata: true}}))
	add("list-flat-paged", flat(&azblob.ListBlobsFlatOptions{MaxResults: to.Ptr[int32](2)}))
	add("list-flat-prefix", flat(&azblob.ListBlobsFlatOptions{Prefix: to.Ptr("dir/")}))

	var hier []string
	hp := cc.NewListBlobsHierarchyPager("/", &azcontainer.ListBlobsHierarchyOptions{Prefix: to.Ptr("dir/")})
	for hp.More() {
		page, err := hp.NextPage(ctx)
		if err != nil {
			hier = append(hier, outcome(err))
			break
		}
		for _, p := range page.Segment.BlobPrefixes {
			hier = append(hier, "prefix:"+deref(p.Name, ""))
		}
		for _, b := range page.Segment.BlobItems {
			hier = append(hier, "blob:"+deref(b.Name, ""))
		}
	}
	add("list-hierarchy", strings.Join(hier, " "))

	dl, err := cl.DownloadStream(ctx, cname, "a.txt", nil)
	add("download", outcome(err))
	if err == nil {
		b, _ := io.ReadAll(dl.Body)
		dl.Body.Close()
		add("download-body", fmt.Sprintf("%q type=%s meta=%s len=%d", b, deref(dl.ContentType, ""),
			metaString(dl.Metadata), deref(dl.ContentLength, -1)))
	}
	dl, err = cl.DownloadStream(ctx, cname, "a.txt", &azblob.DownloadStreamOptions{Range: azblobblob.HTTPRange{Offset: 1, Count: 3}})
	add("download-range", outcome(err))
	if err == nil {
		b, _ := io.ReadAll(dl.Body)
		dl.Body.Close()
		add("download-range-body", fmt.Sprintf("%q range=%s", b, deref(dl.ContentRange, "")))
	}
	buf := make([]byte, len(big))
	n, err := cl.DownloadBuffer(ctx, cname, "big.bin", buf, &azblob.DownloadBufferOptions{BlockSize: 50 << 10})
	add("download-big", fmt.Sprintf("%s n=%d same=%v", outcome(err), n, md5.Sum(buf) == md5.Sum(big)))
	_, err = cl.DownloadStream(ctx, cname, "nope", nil)
	add("download-missing", outcome(err))

	_, err = cc.SetMetadata(ctx, &azcontainer.SetMetadataOptions{Metadata: map[string]*string{"Stage": to.Ptr("two")}})
	add("set-metadata", outcome(err))
	props, err = cc.GetProperties(ctx, nil)
	add("props-after-set", outcome(err)+" "+metaString(props.Metadata))

	var cnames []string
	cp := cl.NewListContainersPager(&azblob.ListContainersOptions{Prefix: to.Ptr("irc-"), Include: azblob.ListContainersInclude{Metadata: true}})
	for cp.More() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			cnames = append(cnames, outcome(err))
			break
		}
		for _, c := range page.ContainerItems {
			cnames = append(cnames, deref(c.Name, "")+"{"+metaString(c.Metadata)+"}")
		}
	}
	add("list-containers", strings.Join(cnames, " "))

	_, err = cl.DeleteBlob(ctx, cname, "a.txt", nil)
	add("delete-blob", outcome(err))
	_, err = cl.DeleteBlob(ctx, cname, "a.txt", nil)
	add("delete-blob-again", outcome(err))

	bad := newClient(t, endpoint, account, "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXk=")
	_, err = bad.CreateContainer(ctx, "irc-wrong-key", nil)
	add("wrong-key-create", outcome(err))
	_, err = bad.ServiceClient().NewContainerClient(cname).GetProperties(ctx, nil)
	add("wrong-key-props", outcome(err))

	// No Authorization header at all (anonymous request to a private container).
	for _, u := range []string{endpoint + cname + "?restype=container", endpoint + cname + "/dir/b.txt", endpoint + "?comp=list"} {
		resp, err := http.Get(u)
		if err != nil {
			add("anonymous", err.Error())
			continue
		}
		resp.Body.Close()
		add("anonymous "+strings.TrimPrefix(u, endpoint), fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("x-ms-error-code")))
	}

	// Azure deletes non-empty containers.
	_, err = cl.DeleteContainer(ctx, cname, nil)
	add("delete-container", outcome(err))
	_, err = cc.GetProperties(ctx, nil)
	add("props-after-delete", outcome(err))
	_, err = cl.DeleteContainer(ctx, cname, nil)
	add("delete-container-again", outcome(err))
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
