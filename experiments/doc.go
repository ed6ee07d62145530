// Package experiments is the core of the experiment layer: the scenario
// type and its loading (Scenario, LoadScenario, the built-ins embedded from
// scenarios/*.yaml, Overrides for the command-line flags), the runner
// (RunReplications, one Progress type), the run summary and its outputs
// (Summarize, RunSummary), and the paired comparison of two runs (Compare,
// RunPair, CompareResults, Change).
//
// The rooms around it each hold one job. The leaves below the core, which
// it imports:
//
//	experiments/metric     the metric registry
//	experiments/output     formats, human numbers, tables, ordered JSON, CSV
//	experiments/scenario   strict YAML decoding, --set, the YAML-node helpers
//	experiments/atomicfile temp file + rename
//	experiments/recovery   the metastability verdict the run summary carries
//	experiments/shard      the shard protocol every sharded command shares
//
// The rooms above it, which import it (and never the other way round):
//
//	experiments/sweep      parameter grids, their part files and merge
//	experiments/capacity   the SLO capacity search
//	experiments/ablation   what each group of fixes contributes (uses capacity)
//	experiments/chart      every chart (reads core and capacity results)
//	experiments/report     the HTML evidence report (uses chart, ablation)
//	experiments/fit        the file side of `checkoutsim fit` (maths in sim/dist)
//	experiments/verify     the queueing validation report (grid in sim/queueing)
//
// Besides its leaves the core may import models, sim and policy types for
// configuration; cmd imports it.
package experiments
