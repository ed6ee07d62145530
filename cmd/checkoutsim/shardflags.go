package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// shardFlags are --shard and --shards, which every command that shards
// takes and reads the same way (shard.FromFlags).
type shardFlags struct {
	rawShard string
	shards   int
}

// addShardFlags registers them; unit names what a shard holds ("points",
// "runs of the next stage") for the help.
func (s *shardFlags) addShardFlags(f *pflag.FlagSet, unit string) {
	f.StringVar(&s.rawShard, "shard", "", `run only shard i of N of the `+unit+`, "i/N"; "/N" or --shards N takes i from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID`)
	f.IntVar(&s.shards, "shards", 0, "number of shards N, the index coming from --shard i or the environment")
}

// parseShard is the shard this process runs: nil when neither flag was
// given; getenv reads the batch engine's index variables.
func (s *shardFlags) parseShard(cmd *cobra.Command, getenv func(string) string) (*shard.Shard, error) {
	if !cmd.Flags().Changed("shard") && !cmd.Flags().Changed("shards") {
		return nil, nil
	}
	return shard.FromFlags(s.rawShard, s.shards, getenv)
}
