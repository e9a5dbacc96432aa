package engine

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery/targetgroup"
	"github.com/prometheus/prometheus/scrape"
	"gopkg.in/yaml.v3"
)

// targetSets is what scrape.Manager.Run consumes: target groups by job name.
type targetSets = map[string][]*targetgroup.Group

// scrapeYAML mirrors the few fields of a Prometheus configuration file that
// the engine sets. The configuration is loaded through config.Load so that
// every default and validation of a real prometheus.yml applies.
type scrapeYAML struct {
	Global struct {
		ScrapeInterval     string `yaml:"scrape_interval"`
		ScrapeTimeout      string `yaml:"scrape_timeout"`
		EvaluationInterval string `yaml:"evaluation_interval"`
	} `yaml:"global"`
	ScrapeConfigs []scrapeJobYAML `yaml:"scrape_configs"`
}

type scrapeJobYAML struct {
	JobName string `yaml:"job_name"`
}

// buildScrapeConfig validates the targets and returns a loaded Prometheus
// configuration with one scrape job per distinct Target.Job, and the target
// groups to feed to scrape.Manager.Run.
func buildScrapeConfig(o Options, logger *slog.Logger) (*config.Config, targetSets, error) {
	lss, err := parseTargets(o.Targets)
	if err != nil {
		return nil, nil, err
	}
	var y scrapeYAML
	y.Global.ScrapeInterval = model.Duration(o.ScrapeInterval).String()
	y.Global.ScrapeTimeout = model.Duration(min(o.ScrapeInterval, 10*time.Second)).String()
	y.Global.EvaluationInterval = model.Duration(o.EvalInterval).String()
	for _, job := range jobNames(o.Targets) {
		y.ScrapeConfigs = append(y.ScrapeConfigs, scrapeJobYAML{JobName: job})
	}
	b, err := yaml.Marshal(y)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: encode scrape config: %w", err)
	}
	cfg, err := config.Load(string(b), logger)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: scrape config (ScrapeInterval=%s EvalInterval=%s): %w", o.ScrapeInterval, o.EvalInterval, err)
	}
	return cfg, targetGroups(o.Targets, lss), nil
}

// jobNames returns the distinct jobs of ts, sorted.
func jobNames(ts []Target) []string {
	seen := map[string]bool{}
	var jobs []string
	for _, t := range ts {
		if !seen[t.Job] {
			seen[t.Job] = true
			jobs = append(jobs, t.Job)
		}
	}
	sort.Strings(jobs)
	return jobs
}

// parseTargets turns each Target into the label set a service discovery
// would produce (__address__, __scheme__, __metrics_path__, __param_*).
// Errors name the target by index and say what is valid.
func parseTargets(ts []Target) ([]model.LabelSet, error) {
	out := make([]model.LabelSet, 0, len(ts))
	seen := map[[2]string]int{}
	for i, t := range ts {
		if t.Job == "" {
			return nil, fmt.Errorf("engine: Targets[%d] (URL %q): Job is empty: want a job name such as \"telephony\"", i, t.URL)
		}
		u, err := url.Parse(t.URL)
		if err != nil {
			return nil, fmt.Errorf("engine: Targets[%d] (job %q): URL %q: %w", i, t.Job, t.URL, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("engine: Targets[%d] (job %q): URL %q: want http(s)://host:port/path, e.g. http://127.0.0.1:9464/metrics", i, t.Job, t.URL)
		}
		if u.User != nil || u.Fragment != "" {
			return nil, fmt.Errorf("engine: Targets[%d] (job %q): URL %q: user info and fragments are not supported", i, t.Job, t.URL)
		}
		key := [2]string{t.Job, t.URL}
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("engine: Targets[%d] duplicates Targets[%d] (job %q, URL %q)", i, j, t.Job, t.URL)
		}
		seen[key] = i
		path := u.Path
		if path == "" {
			path = "/metrics"
		}
		ls := model.LabelSet{
			model.AddressLabel:     model.LabelValue(u.Host),
			model.SchemeLabel:      model.LabelValue(u.Scheme),
			model.MetricsPathLabel: model.LabelValue(path),
		}
		for name, vals := range u.Query() {
			if len(vals) > 1 {
				return nil, fmt.Errorf("engine: Targets[%d] (job %q): URL %q: query parameter %q repeated: want at most one value", i, t.Job, t.URL, name)
			}
			ls[model.LabelName(model.ParamLabelPrefix+name)] = model.LabelValue(vals[0])
		}
		out = append(out, ls)
	}
	return out, nil
}

// targetGroups groups targets (lss[i] is parsed from ts[i]) by job, one
// static group per job, as the discovery manager would send them.
func targetGroups(ts []Target, lss []model.LabelSet) targetSets {
	sets := targetSets{}
	byJob := map[string]*targetgroup.Group{}
	for i, t := range ts {
		g, ok := byJob[t.Job]
		if !ok {
			g = &targetgroup.Group{Source: "slawatch/" + t.Job}
			byJob[t.Job] = g
			sets[t.Job] = []*targetgroup.Group{g}
		}
		g.Targets = append(g.Targets, lss[i])
	}
	return sets
}

func (e *Engine) newScrapeManager() error {
	m, err := scrape.NewManager(&scrape.Options{
		// Targets are static: reload soon after they are sent instead of
		// the 5 s discovery throttle.
		DiscoveryReloadInterval: model.Duration(min(e.opts.ScrapeInterval, time.Second)),
	}, e.logger.With("component", "scrape manager"), nil,
		gatedAppendable{Appendable: e.db, closed: &e.stopping}, nil, e.reg)
	if err != nil {
		return fmt.Errorf("engine: scrape manager: %w", err)
	}
	e.scrapeMgr = m
	return nil
}
