// doiuse-email (the caniemail data) on each HTML file given: prints one JSON object,
// file -> the unsupported features it reports for the clients we check.
import { doIUseEmail } from 'doiuse-email';
import fs from 'node:fs';

const clients = ['gmail.*', 'outlook.windows', 'apple-mail.*'];
const report = {};
for (const file of process.argv.slice(2)) {
  const result = doIUseEmail(fs.readFileSync(file, 'utf8'), { emailClients: clients });
  report[file] = [...new Set(result.errors || [])].sort();
}
process.stdout.write(JSON.stringify(report));
