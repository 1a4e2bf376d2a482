// Jest's globalSetup: brings every package's dist/ up to date (tsc -b: about a second when it
// is), because what the tests spawn runs the build output: the CLI's bin, the XML worker thread,
// the packed packages. In-process test code imports the TypeScript sources (moduleNameMapper).
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildPackages() {
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
};
