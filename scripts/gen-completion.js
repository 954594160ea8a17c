#!/usr/bin/env node
// Writes dist/completion/flux.bash, the bash completion script that
// `flux completion bash` prints, generated from the built command specs.
'use strict';
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const { allSpecs } = require(path.join(dist, 'cli', 'completion', 'specs.js'));
const { bashCompletion } = require(path.join(dist, 'cli', 'completion', 'bash.js'));
fs.mkdirSync(path.join(dist, 'completion'), { recursive: true });
fs.writeFileSync(path.join(dist, 'completion', 'flux.bash'), bashCompletion(allSpecs()));
