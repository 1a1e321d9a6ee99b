package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gofiber/fiber/v2"
)

type target struct {
	name string
	url  string
	// pageURL, when set, gives each request its own address instead of url.
	pageURL func() string
	// htmxTarget is the id of the element htmx swaps, sent as HX-Target
	// with HX-Request, as htmx does; empty for a plain request.
	htmxTarget string
	pid        int // the serving process, whose memory and CPU are sampled; 0 for none
	// postmaster is the database cluster's main process, whose CPU and its
	// backends' is sampled; 0 for none.
	postmaster int
}

type result struct {
	name       string
	requests   int
	errors     int
	elapsed    time.Duration
	p50, p99   time.Duration
	peakRSSKiB int
	// writesPerRequest counts rows the database inserted or updated per
	// request: a read-only screen should write none.
	writesPerRequest float64
	// CPU time per request of the app, of the database and of this
	// process (the load generator, and the app too when it is served in
	// process). On a shared machine these vary less than rates and latencies.
	appCPU, databaseCPU, clientCPU time.Duration
}

// drive sends requests to t from opts.connections workers for
// opts.duration and collects every latency.
func drive(ctx context.Context, client *http.Client, t target, opts options) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.duration)
	defer cancel()
	memory := sampleMemory(ctx, t.pid)
	appCPUBefore, databaseCPUBefore := processCPU(t.pid), clusterCPU(t.postmaster)
	clientCPUBefore := processCPU(os.Getpid())
	var mu sync.Mutex
	var latencies []time.Duration
	errors := 0
	var wg sync.WaitGroup
	started := time.Now()
	for w := 0; w < opts.connections; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			failed := 0
			for ctx.Err() == nil {
				latency, ok := fetch(ctx, client, t)
				if ctx.Err() != nil {
					break // cut off by the deadline, not the server's fault
				}
				mine = append(mine, latency)
				if !ok {
					failed++
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errors += failed
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	appCPU, databaseCPU := processCPU(t.pid)-appCPUBefore, clusterCPU(t.postmaster)-databaseCPUBefore
	clientCPU := processCPU(os.Getpid()) - clientCPUBefore
	if len(latencies) == 0 {
		return result{}, fmt.Errorf("%s: no request completed", t.name)
	}
	slices.Sort(latencies)
	peak := <-memory
	return result{name: t.name, requests: len(latencies), errors: errors, elapsed: elapsed,
		p50: latencies[len(latencies)/2], p99: latencies[len(latencies)*99/100], peakRSSKiB: peak,
		appCPU: appCPU / time.Duration(len(latencies)), databaseCPU: databaseCPU / time.Duration(len(latencies)),
		clientCPU: clientCPU / time.Duration(len(latencies))}, nil
}

func fetch(ctx context.Context, client *http.Client, t target) (time.Duration, bool) {
	address := t.url
	if t.pageURL != nil {
		address = t.pageURL()
	}
	request, _ := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if t.htmxTarget != "" {
		request.Header.Set("HX-Request", "true")
		request.Header.Set("HX-Target", t.htmxTarget)
	}
	started := time.Now()
	response, err := client.Do(request)
	if err != nil {
		return time.Since(started), false
	}
	_, _ = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	return time.Since(started), response.StatusCode == http.StatusOK
}

// sampleMemory reads the process's resident set every 100 ms until ctx
// ends and then sends the peak in KiB.
func sampleMemory(ctx context.Context, pid int) <-chan int {
	peak := make(chan int, 1)
	go func() {
		highest := 0
		for {
			if pid > 0 {
				highest = max(highest, residentKiB(pid))
			}
			select {
			case <-ctx.Done():
				peak <- highest
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return peak
}

func residentKiB(pid int) int {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kib
		}
	}
	return 0
}

// clockTicksPerSecond is the unit of CPU times in /proc (USER_HZ), 100 on
// every Linux this runs on.
const clockTicksPerSecond = 100

// processCPU returns the user and system time pid has used so far, 0 for
// no process.
func processCPU(pid int) time.Duration {
	fields := procStat(pid)
	if len(fields) < 14 {
		return 0
	}
	return ticks(fields[12]) + ticks(fields[13])
}

// clusterCPU returns the CPU time of the cluster's main process, of its
// backends and of the backends that have exited.
func clusterCPU(postmaster int) time.Duration {
	fields := procStat(postmaster)
	if len(fields) < 16 {
		return 0
	}
	total := ticks(fields[12]) + ticks(fields[13]) + ticks(fields[14]) + ticks(fields[15])
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		child := procStat(pid)
		if len(child) > 13 && child[2] == strconv.Itoa(postmaster) {
			total += ticks(child[12]) + ticks(child[13])
		}
	}
	return total
}

// procStat returns the fields of /proc/pid/stat from the third on (state,
// ppid, ...), after "pid (command)" as the first: proc(5) field n is at n-2.
func procStat(pid int) []string {
	if pid <= 0 {
		return nil
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	text := string(stat)
	end := strings.LastIndexByte(text, ')')
	if end < 0 {
		return nil
	}
	return append([]string{text[:end+1]}, strings.Fields(text[end+1:])...)
}

func ticks(field string) time.Duration {
	n, _ := strconv.ParseInt(field, 10, 64)
	return time.Duration(n) * time.Second / clockTicksPerSecond
}

type bareServer struct {
	app     *fiber.App
	baseURL string
}

func (b *bareServer) stop() { _ = b.app.ShutdownWithTimeout(5 * time.Second) }

// startBareFiber serves a handler that does nothing, the ceiling any Fiber
// app on this machine can reach.
func startBareFiber() (*bareServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	go func() { _ = app.Listen(addr) }()
	server := &bareServer{app: app, baseURL: "http://" + addr}
	return server, waitUp(server.baseURL + "/")
}

func waitUp(url string) error {
	for attempt := 0; attempt < 50; attempt++ {
		if response, err := http.Get(url); err == nil {
			response.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not come up", url)
}

func printResults(w io.Writer, opts options, results []result) {
	fmt.Fprintf(w, "\n%d transactions, %d connections, %s per target\n\n", opts.transactions, opts.connections, opts.duration)
	table := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(table, "target\trequests/s\tp50\tp99\terrors\tvs bare\tapp RSS peak\tdb rows written/request\tapp CPU/request\tdb CPU/request\tloadtest CPU/request")
	bareRate := float64(results[0].requests) / results[0].elapsed.Seconds()
	for _, r := range results {
		rate := float64(r.requests) / r.elapsed.Seconds()
		rss := "-"
		if r.peakRSSKiB > 0 {
			rss = fmt.Sprintf("%.1f MiB", float64(r.peakRSSKiB)/1024)
		}
		fmt.Fprintf(table, "%s\t%.0f\t%s\t%s\t%d\t%.1f%%\t%s\t%.2f\t%s\t%s\t%s\n", r.name, rate,
			r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors, 100*rate/bareRate, rss,
			r.writesPerRequest, cpuText(r.appCPU), cpuText(r.databaseCPU), cpuText(r.clientCPU))
	}
	_ = table.Flush()
}

func cpuText(perRequest time.Duration) string {
	if perRequest == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f ms", float64(perRequest.Microseconds())/1000)
}
