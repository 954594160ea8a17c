/** The option spec, its parser and what is generated from it (README of this folder: spec.ts). */
export type { CommandSpec, GroupSpec, Grammar, OperandSpec, OptionSpec } from './spec';
export { errorName, specProblems } from './spec';
export { ParsedArgs, type Occurrence } from './parsed';
export { HelpRequest, UsageError, parse } from './parse';
export { renderHelp, renderUsageError, usageErrorText, type Rendered } from './render';
export { optparseHelp, optparseUsageLine } from './help-optparse';
export { argparseHelp, argparseUsage } from './help-argparse';
export { synopsis } from './synopsis';
export { manOptionsBlock } from './man';
