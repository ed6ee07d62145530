// Package experiments is the core of the experiment layer: the scenario
// type and its loading (Scenario, LoadScenario, the built-ins embedded from
// scenarios/*.yaml, Overrides for the command-line flags), the runner
// (RunReplications, one Progress type), the run summary and its outputs
// (Summarize, RunSummary), the paired comparison of two runs (Compare,
// RunPair, CompareResults, Change), the metastability verdict
// (SummarizeRecovery), and the sweep grid with its shards, part files and
// merge checks (Sweep, Shard, MergeSweep), which sweep and the search
// commands share.
//
// The rooms around it each hold one job and import the core, never the
// other way round:
//
//	experiments/metric     the metric registry (imports models/checkout, sim/stats)
//	experiments/output     formats, human numbers, tables, ordered JSON, CSV (imports nothing of ours)
//	experiments/scenario   strict YAML decoding, --set and the YAML-node helpers
//	experiments/atomicfile temp file + rename
//	experiments/capacity   the SLO capacity search
//	experiments/ablation   what each group of fixes contributes (uses capacity)
//	experiments/chart      every chart (reads core, capacity results)
//	experiments/report     the HTML evidence report (uses chart, ablation)
//	experiments/fit        the file side of `checkoutsim fit` (maths in sim/dist)
//	experiments/verify     the queueing validation report (grid in sim/queueing)
//
// The core may import metric, output, scenario and atomicfile, models and
// sim, and policy types for configuration; cmd imports it.
package experiments
