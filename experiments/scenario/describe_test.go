package scenario

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	def := defaultScenario()
	docs := Describe(reflect.TypeFor[Scenario](), &def)
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%s | %s | %s | %s", d.Path, d.Type, d.Default, d.Doc))
	}
	want := []string{
		"name | string | default | ",
		"seed | integer | 1 | ",
		"description | string |  | one line shown by checkoutsim scenarios",
		"traffic | mapping |  | ",
		"traffic.peak_rate | number | 100 | arrivals per second at the peak",
		"traffic.duration | duration | 10m0s | ",
		"traffic.cohorts | map of name to mapping |  | ",
		"traffic.cohorts.<name>.share | number |  | fraction of arrivals, 0..1",
		"traffic.cohorts.<name>.think | duration |  | ",
		"services | map of name to mapping |  | ",
		"services.<name>.workers | integer |  | ",
		"services.<name>.shards | integer |  | ",
		"services.<name>.latency | scenario.Dist |  | ",
		"flow | mapping |  | ",
		"flow.steps | list of mapping |  | ",
		"flow.steps[].service | string |  | ",
		"flow.steps[].calls | string |  | ",
		"policies | map of name to mapping |  | ",
		"policies.<name>.timeout | duration |  | ",
		"policies.<name>.retry | mapping |  | ",
		"policies.<name>.retry.max_attempts | integer |  | ",
		"policies.<name>.retry.backoff | duration |  | ",
		"policies.<name>.retry.jitter | number |  | ",
		"policies.<name>.breaker | mapping |  | ",
		"policies.<name>.breaker.failure_ratio | number |  | ",
		"policies.<name>.breaker.open_for | duration |  | ",
		"tags | list of string | [] | ",
		"http_timeout | duration | 5s | ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
