// Requires a module with a syntax error: Node must report it exactly as without the shim.
var express = require('express');
var broken = require('./broken');

express().get('/', broken).listen(process.env.PORT || 0);
