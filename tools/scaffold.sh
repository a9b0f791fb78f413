#!/usr/bin/env bash
# Lays out one workspace package: tools/scaffold.sh <apps|libs> <name> <tags> [dep ...]
set -euo pipefail
kind=$1 name=$2 tags=$3; shift 3
dir=$kind/$name
mkdir -p "$dir/src"
deps="" refs=""
for d in "$@"; do
  deps="$deps\"@accelerboat/$d\": \"workspace:*\","
  refs="$refs{ \"path\": \"../../libs/$d\" },"
done
tagjson=$(printf '%s' "$tags" | sed 's/[^,]*/"&"/g')
cat > "$dir/package.json" <<J
{
  "name": "@accelerboat/$name",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } },
  "scripts": {
    "build": "tsc -b",
    "lint": "eslint src",
    "test": "node ../../tools/run-tests.mjs unit $dir",
    "test-int": "node ../../tools/run-tests.mjs int $dir"
  },
  "nx": { "tags": [$tagjson] },
  "dependencies": { ${deps%,} }
}
J
cat > "$dir/tsconfig.json" <<J
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "references": [${refs%,}]
}
J
