'use strict';
// An ES module's import of another of the app's modules names the exporter's variable: the
// effects recorded through `import { items } from '../lib/store.mjs'` are given the declaration
// of `items` in lib/store.mjs (its file and line, owned by that module's top level), as that
// module's own uses are, so that every importer and the exporter use one variable.
//
// Resolved: ImportSpecifier and ImportDefaultSpecifier of a relative specifier ('./', '../')
// naming a module that exports the name with `export const|let|var|function|class`,
// `export { x }`, `export { x as y }` or `export default x` (a name, a named function or class).
// Not resolved (the import's own declaration is kept, as before): namespace imports
// (`import * as s`), re-exports (`export * from`, `export { x } from`), bare package
// specifiers, a specifier with a query or a hash, a module that is not instrumented (CommonJS).
//
// The importer is instrumented before the module it imports (Node loads a module's imports
// after its own source), so its sites hold a placeholder declaration until the exporter is
// instrumented: the registry then patches them. Both happen before any of their code runs.

const path = require('path');

/** The file (relative like `file`, '/'-separated) a relative specifier names; else null. */
function importedFile(file, specifier) {
  if (typeof specifier !== 'string') return null;
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  if (/[?#]/.test(specifier)) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
}

/**
 * The names a module exports of its own, from its Program node: Map exported name -> local
 * name (a variable of the module's scope). Re-exports are not listed.
 */
function exportedNames(program) {
  const names = new Map();
  for (const st of program.body) {
    if (st.type === 'ExportNamedDeclaration' && !st.source) {
      const decl = st.declaration;
      if (decl && decl.type === 'VariableDeclaration') {
        for (const d of decl.declarations) {
          if (d.id.type === 'Identifier') names.set(d.id.name, d.id.name);
        }
      } else if (decl && decl.id) {
        names.set(decl.id.name, decl.id.name);
      }
      for (const s of st.specifiers || []) {
        if (s.local.type === 'Identifier') names.set(nameOf(s.exported), s.local.name);
      }
    } else if (st.type === 'ExportDefaultDeclaration') {
      const decl = st.declaration;
      if (decl.type === 'Identifier') names.set('default', decl.name);
      else if (decl.id) names.set('default', decl.id.name);
    }
  }
  return names;
}

/**
 * The bindings a module imports from other modules, from its Program node: Map local name ->
 * {file, name} (the exporter's file as `importedFile` gives it, the exported name). Namespace
 * imports and bare specifiers are not listed.
 */
function importedNames(program, file) {
  const names = new Map();
  for (const st of program.body) {
    if (st.type !== 'ImportDeclaration') continue;
    const from = importedFile(file, st.source.value);
    if (from === null) continue;
    for (const s of st.specifiers) {
      if (s.type === 'ImportSpecifier') names.set(s.local.name, { file: from, name: nameOf(s.imported) });
      else if (s.type === 'ImportDefaultSpecifier') names.set(s.local.name, { file: from, name: 'default' });
    }
  }
  return names;
}

function nameOf(node) {
  return node.type === 'Identifier' ? node.name : node.value; // `export { x as "a b" }`
}

/**
 * The exports of the modules instrumented so far, and the sites waiting for one.
 * `exported(file, table)` records a module's table (exported name -> {declared, owner, chain})
 * and patches what waited for it; `imported(file, name, placeholder, holders)` patches now, or
 * once `file` is instrumented, every holder (an object of a site with `declared`) whose
 * `declared` is `placeholder`.
 */
function createExportRegistry() {
  const tables = new Map(); // file -> Map exported name -> {declared, owner, chain}
  const waiting = new Map(); // file -> [{name, placeholder, holders}]

  function patch(entry, placeholder, holders) {
    for (const h of holders) {
      if (h.declared !== placeholder) continue;
      h.declared = entry.declared;
      h.owner = entry.owner;
      if ('chain' in h) h.chain = entry.chain;
    }
  }

  return {
    exported(file, table) {
      tables.set(file, table);
      const queue = waiting.get(file);
      if (!queue) return;
      waiting.delete(file);
      for (const w of queue) {
        const entry = table.get(w.name);
        if (entry) patch(entry, w.placeholder, w.holders);
      }
    },
    imported(file, name, placeholder, holders) {
      const table = tables.get(file);
      if (table) {
        const entry = table.get(name);
        if (entry) patch(entry, placeholder, holders);
        return;
      }
      if (!waiting.has(file)) waiting.set(file, []);
      waiting.get(file).push({ name, placeholder, holders });
    },
  };
}

/** The objects of `sites` (and the objects they hold, two levels down) with a `declared`. */
function holdersOf(sites) {
  const out = [];
  const walk = (obj, depth) => {
    if (obj === null || typeof obj !== 'object' || depth > 2) return;
    if ('declared' in obj) out.push(obj);
    for (const key of Object.keys(obj)) {
      if (key !== 'declared' && key !== 'chain') walk(obj[key], depth + 1);
    }
  };
  for (const site of sites) walk(site, 0);
  return out;
}

module.exports = { importedFile, exportedNames, importedNames, createExportRegistry, holdersOf };

/**
 * The linking of one module being instrumented (ctx of lib/effects.js, `loc` its offset ->
 * location), or null when there is no registry or the file is not an ES module.
 * `declared(variable, def)` is the placeholder declaration of an import binding to resolve
 * (null for any other variable); `site(site)` keeps a site of the module; `finish()` records
 * the module's exports and hands its placeholders to the registry.
 */
function linkModule(ctx, loc) {
  if (!ctx.exports || ctx.ast.sourceType !== 'module') return null;
  const imports = importedNames(ctx.ast, ctx.file);
  const placeholders = new Map(); // local name -> {placeholder, from}
  const sites = [];
  return {
    declared(variable, def) {
      if (def.type !== 'ImportBinding' || variable.scope.type !== 'module') return null;
      const from = imports.get(variable.name);
      if (!from) return null;
      let p = placeholders.get(variable.name);
      if (!p) {
        p = { placeholder: loc(def.name.start), from };
        placeholders.set(variable.name, p);
      }
      return p.placeholder;
    },
    site(site) {
      sites.push(site);
    },
    finish() {
      const scope = ctx.scopeManager.scopes.find((s) => s.type === 'module');
      const table = new Map();
      for (const [exported, local] of exportedNames(ctx.ast)) {
        const v = scope ? scope.set.get(local) : undefined;
        // An imported name exported again is not followed: left to its own module's import.
        if (!v || v.defs.length === 0 || v.defs[0].type === 'ImportBinding') continue;
        const chain = [ctx.toplevelId];
        table.set(exported, { declared: loc(v.defs[0].name.start), owner: ctx.toplevelId, chain });
      }
      if (placeholders.size > 0) {
        const holders = holdersOf(sites);
        for (const p of placeholders.values()) ctx.exports.imported(p.from.file, p.from.name, p.placeholder, holders);
      }
      ctx.exports.exported(ctx.file, table);
    },
  };
}

module.exports.linkModule = linkModule;
