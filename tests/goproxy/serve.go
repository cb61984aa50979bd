package main

// A checksum database (golang.org/x/mod/sumdb.Server over an in-memory
// transparency log) and, optionally, a GOPROXY serving a static tree, on one
// loopback port. The log is built once at start: the -extra fake modules
// first, then every module version of the proxy tree (its zip's h1: and its
// .mod's /go.mod h1:), in the order of @v/list, then the -append fake
// modules. The flags plant the attacks a client must refuse.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

type config struct {
	dir         string
	name        string
	keyFile     string
	extra       int
	appended    int
	fork        int64
	replace     listFlag
	lieLookup   bool
	truncate    bool
	otherKey    bool
	proxySumdb  bool
	logRequests bool
}

func serve(args []string) error {
	var c config
	flags := flag.NewFlagSet("goproxy-server serve", flag.ExitOnError)
	flags.StringVar(&c.dir, "dir", "", "serve this static GOPROXY tree at /proxy/ and record its module versions")
	flags.StringVar(&c.name, "name", "sum.gov.test", "the database's name (the first field of its key)")
	flags.StringVar(&c.keyFile, "key", "", "read the signer key from this file, or write a new one there (two lines: signer key, verifier key)")
	flags.IntVar(&c.extra, "extra", 0, "first record this many fake modules (example.com/fake/mNNN v1.0.0)")
	flags.IntVar(&c.appended, "append", 0, "last record this many fake modules (example.com/fake/late/mNNN v1.0.0): the same log, grown")
	flags.Int64Var(&c.fork, "fork", -1, "change the record at this index: a different history under the same key")
	flags.Var(&c.replace, "replace", "MODULE@VERSION=h1:HASH: record this zip hash instead of the true one (repeatable; =other for a made-up one)")
	flags.BoolVar(&c.lieLookup, "lie-lookup", false, "the log records other zip hashes than /lookup answers (lookups return the true, unlogged text)")
	flags.BoolVar(&c.truncate, "truncate-tiles", false, "serve hash tiles cut short")
	flags.BoolVar(&c.otherKey, "sign-with-other-key", false, "sign the tree with a second key of the same name, not the one announced")
	flags.BoolVar(&c.proxySumdb, "proxy-sumdb", false, "the proxy supports the database: /proxy/sumdb/NAME/supported and /proxy/sumdb/NAME/…")
	flags.BoolVar(&c.logRequests, "log", false, "print each request on stderr: METHOD PATH STATUS")
	flags.Parse(args)
	if flags.NArg() != 0 {
		return fmt.Errorf("serve takes no arguments, got %q", flags.Args())
	}

	skey, vkey, err := loadKey(c.keyFile, c.name)
	if err != nil {
		return err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return err
	}
	if c.otherKey {
		other, _, err := note.GenerateKey(rand.Reader, signer.Name())
		if err != nil {
			return err
		}
		if signer, err = note.NewSigner(other); err != nil {
			return err
		}
	}

	served, logged, index, err := buildRecords(&c)
	if err != nil {
		return err
	}
	db, err := newLog(served, logged, index, signer, c.truncate)
	if err != nil {
		return err
	}
	dbHandler := sumdb.NewServer(db)

	mux := http.NewServeMux()
	for _, p := range sumdb.ServerPaths {
		mux.Handle(p, dbHandler)
	}
	if c.dir != "" {
		static := http.StripPrefix("/proxy", http.FileServer(http.Dir(c.dir)))
		sumdbPrefix := "/proxy/sumdb/" + signer.Name()
		mux.HandleFunc("/proxy/", func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasPrefix(r.URL.Path, "/proxy/sumdb/"):
				if !c.proxySumdb || !strings.HasPrefix(r.URL.Path, sumdbPrefix+"/") {
					http.NotFound(w, r)
					return
				}
				rest := strings.TrimPrefix(r.URL.Path, sumdbPrefix)
				if rest == "/supported" {
					w.WriteHeader(http.StatusOK)
					return
				}
				r2 := r.Clone(r.Context())
				r2.URL.Path = rest
				dbHandler.ServeHTTP(w, r2)
			case strings.HasSuffix(r.URL.Path, "/"):
				http.NotFound(w, r) // no directory listings
			default:
				static.ServeHTTP(w, r)
			}
		})
	}

	var handler http.Handler = mux
	if c.logRequests {
		handler = withLog(mux)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	ready := map[string]interface{}{
		"url":   url,
		"name":  signer.Name(),
		"key":   vkey,
		"size":  len(logged),
		"index": index,
	}
	if c.dir != "" {
		ready["proxy"] = url + "/proxy"
	}
	line, err := json.Marshal(ready)
	if err != nil {
		return err
	}
	os.Stdout.Write(append(line, '\n'))

	// The test that started us holds our stdin: when it goes, so do we.
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	return http.Serve(ln, handler)
}

func loadKey(file, name string) (skey, vkey string, err error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err == nil {
			f := strings.Fields(string(data))
			if len(f) != 2 {
				return "", "", fmt.Errorf("%s: want two lines, a signer key and a verifier key", file)
			}
			return f[0], f[1], nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", err
	}
	if file != "" {
		if err := writeAtomically(file, []byte(skey+"\n"+vkey+"\n")); err != nil {
			return "", "", err
		}
	}
	return skey, vkey, nil
}

// buildRecords returns the records /lookup serves, the records the log holds
// (the same unless an attack says otherwise) and the index of each module
// version of the proxy tree (fake module N is at index N).
func buildRecords(c *config) (served, logged [][]byte, index map[string]int64, err error) {
	type rec struct {
		mod   module.Version
		zipH1 string
		modH1 string
	}
	var recs []rec
	for i := 0; i < c.extra; i++ {
		mod := module.Version{Path: fmt.Sprintf("example.com/fake/m%03d", i), Version: "v1.0.0"}
		recs = append(recs, rec{mod, fakeHash("zip", mod), fakeHash("mod", mod)})
	}
	if c.dir != "" {
		mods, err := proxyModules(c.dir)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, m := range mods {
			base, err := proxyFile(c.dir, m)
			if err != nil {
				return nil, nil, nil, err
			}
			zipH1, err := zipHash(base + ".zip")
			if err != nil {
				return nil, nil, nil, err
			}
			modData, err := os.ReadFile(base + ".mod")
			if err != nil {
				return nil, nil, nil, err
			}
			modH1, err := goModHash(modData)
			if err != nil {
				return nil, nil, nil, err
			}
			recs = append(recs, rec{m, zipH1, modH1})
		}
	}

	for i := 0; i < c.appended; i++ {
		mod := module.Version{Path: fmt.Sprintf("example.com/fake/late/m%03d", i), Version: "v1.0.0"}
		recs = append(recs, rec{mod, fakeHash("zip", mod), fakeHash("mod", mod)})
	}
	proxied := len(recs) - c.appended

	replaced := map[string]string{}
	for _, r := range c.replace {
		eq := strings.Index(r, "=")
		if eq < 0 {
			return nil, nil, nil, fmt.Errorf("-replace %q: want MODULE@VERSION=h1:HASH", r)
		}
		replaced[r[:eq]] = r[eq+1:]
	}
	index = map[string]int64{}
	for i, r := range recs {
		key := r.mod.String()
		if i >= c.extra && i < proxied {
			index[key] = int64(i)
		}
		zipH1 := r.zipH1
		if h, ok := replaced[key]; ok {
			delete(replaced, key)
			if h == "other" {
				h = fakeHash("other", r.mod)
			}
			zipH1 = h
		}
		text := []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", r.mod.Path, r.mod.Version, zipH1, r.mod.Path, r.mod.Version, r.modH1))
		served = append(served, text)
		if c.lieLookup {
			text = []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", r.mod.Path, r.mod.Version, fakeHash("lie", r.mod), r.mod.Path, r.mod.Version, r.modH1))
		}
		if int64(i) == c.fork {
			text = []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", r.mod.Path, r.mod.Version, fakeHash("fork", r.mod), r.mod.Path, r.mod.Version, r.modH1))
		}
		logged = append(logged, text)
	}
	for key := range replaced {
		return nil, nil, nil, fmt.Errorf("-replace %s: the database holds no such module version", key)

	}
	if c.fork >= int64(len(recs)) {
		return nil, nil, nil, fmt.Errorf("-fork %d: the log holds only %d records", c.fork, len(recs))
	}
	return served, logged, index, nil
}

// fakeHash is a well-formed h1: hash of nothing real.
func fakeHash(kind string, mod module.Version) string {
	sum := sha256.Sum256([]byte(kind + " " + mod.String()))
	return "h1:" + base64.StdEncoding.EncodeToString(sum[:])
}

// proxyModules lists every module version of a static GOPROXY tree, each
// module's versions in the order of its @v/list.
func proxyModules(dir string) ([]module.Version, error) {
	var mods []module.Version
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "list" || filepath.Base(filepath.Dir(p)) != "@v" {
			return err
		}
		rel, err := filepath.Rel(dir, filepath.Dir(filepath.Dir(p)))
		if err != nil {
			return err
		}
		path, err := module.UnescapePath(filepath.ToSlash(rel))
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var versions []string
		for _, v := range strings.Fields(string(data)) {
			versions = append(versions, v)
		}
		sort.SliceStable(versions, func(i, j int) bool { return semver.Compare(versions[i], versions[j]) < 0 })
		for _, v := range versions {
			mods = append(mods, module.Version{Path: path, Version: v})
		}
		return nil
	})
	return mods, err
}

func proxyFile(dir string, m module.Version) (string, error) {
	escPath, err := module.EscapePath(m.Path)
	if err != nil {
		return "", err
	}
	escVersion, err := module.EscapeVersion(m.Version)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.FromSlash(escPath), "@v", escVersion), nil
}

// zipHash is the h1: of a module zip, read from the .ziphash beside it when
// that is not older than the zip.
func zipHash(zipFile string) (string, error) {
	zi, err := os.Stat(zipFile)
	if err != nil {
		return "", err
	}
	base := strings.TrimSuffix(zipFile, ".zip")
	if hi, err := os.Stat(base + ".ziphash"); err == nil && !hi.ModTime().Before(zi.ModTime()) {
		if data, err := os.ReadFile(base + ".ziphash"); err == nil {
			if h := strings.TrimSpace(string(data)); strings.HasPrefix(h, "h1:") {
				return h, nil
			}
		}
	}
	return dirhash.HashZip(zipFile, dirhash.Hash1)
}

// goModHash is the /go.mod h1: of a go.mod file's content.
func goModHash(data []byte) (string, error) {
	return dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
}

// treeLog is the database's storage: records and the stored hashes of a
// log built once.
type treeLog struct {
	served   [][]byte
	hashes   []tlog.Hash
	index    map[string]int64
	signed   []byte
	truncate bool
}

type hashList []tlog.Hash

func (h hashList) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = h[x]
	}
	return out, nil
}

func newLog(served, logged [][]byte, index map[string]int64, signer note.Signer, truncate bool) (*treeLog, error) {
	var hashes hashList
	for i, text := range logged {
		more, err := tlog.StoredHashes(int64(i), text, hashes)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, more...)
	}
	size := int64(len(logged))
	h, err := tlog.TreeHash(size, hashes)
	if err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: h}))}, signer)
	if err != nil {
		return nil, err
	}
	return &treeLog{served: served, hashes: hashes, index: index, signed: signed, truncate: truncate}, nil
}

func (l *treeLog) Signed(ctx context.Context) ([]byte, error) { return l.signed, nil }

func (l *treeLog) ReadRecords(ctx context.Context, id, n int64) ([][]byte, error) {
	if id < 0 || n < 0 || id+n > int64(len(l.served)) {
		return nil, fmt.Errorf("records %d..%d: %w", id, id+n, fs.ErrNotExist)
	}
	return l.served[id : id+n], nil
}

func (l *treeLog) Lookup(ctx context.Context, m module.Version) (int64, error) {
	id, ok := l.index[m.String()]
	if !ok {
		return 0, fmt.Errorf("%s: %w", m, fs.ErrNotExist)
	}
	return id, nil
}

func (l *treeLog) ReadTileData(ctx context.Context, t tlog.Tile) ([]byte, error) {
	data, err := tlog.ReadTileData(t, hashList(l.hashes))
	if err != nil {
		return nil, fmt.Errorf("tile %s: %v: %w", t.Path(), err, fs.ErrNotExist)
	}
	if l.truncate && len(data) > 0 {
		data = data[:len(data)-tlog.HashSize/2]
	}
	return data, nil
}

var _ sumdb.ServerOps = (*treeLog)(nil)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

var logMu sync.Mutex

func withLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(sw, r)
		logMu.Lock()
		fmt.Fprintf(os.Stderr, "%s %s %d %dms\n", r.Method, r.URL.Path, sw.status, time.Since(start).Milliseconds())
		logMu.Unlock()
	})
}
