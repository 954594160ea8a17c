#!/bin/sh
# The walkthrough's workload script ("Starting a Flux Instance").
flux resource info
flux uptime
NNODES=$(flux resource list -no {nnodes})
flux run --label-io -N $NNODES hostname
