// Validates Kubernetes objects against the API's schemas (kubernetes-models, and the
// prometheus-operator CRDs'), in a Node process of its own: the models are ES modules, which the
// tests' CommonJS Jest cannot load. Reads a JSON array of objects on stdin and prints a JSON
// array with one entry per object: null when valid, else what is wrong, with its path.

const MODULES = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

async function modelOf(apiVersion, kind) {
  const base = MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  const module = await import(`${base}/${kind}`);
  return module[kind];
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const object of JSON.parse(input)) {
  try {
    const Model = await modelOf(object.apiVersion, object.kind);
    new Model(object).validate();
    problems.push(null);
  } catch (error) {
    problems.push(`${object.kind} ${object.metadata?.name}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
