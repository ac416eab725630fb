import { parseAzurePath, withDeploymentModel } from './azure-path';

const parse = (target: string) => parseAzurePath(new URL(target, 'http://mock'));

describe('parseAzurePath', () => {
  it('reads the deployment, the operation and the api-version', () => {
    expect(parse('/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-10-21')).toEqual({
      deployment: 'gpt4o-eu',
      operation: 'chat/completions',
      apiVersion: '2024-10-21',
    });
    expect(parse('/openai/deployments/embed%20eu/embeddings?api-version=v')).toEqual({
      deployment: 'embed eu',
      operation: 'embeddings',
      apiVersion: 'v',
    });
  });

  it('has no api-version when the query lacks it or leaves it empty', () => {
    expect(parse('/openai/deployments/d/embeddings')?.apiVersion).toBeUndefined();
    expect(parse('/openai/deployments/d/embeddings?api-version=')?.apiVersion).toBeUndefined();
  });

  it.each([
    '/v1/chat/completions',
    '/openai/deployments/d/completions?api-version=v',
    '/openai/deployments/d/chat/completions/?api-version=v',
    '/openai/deployments//embeddings?api-version=v',
    '/openai/deployments/a/b/embeddings?api-version=v',
  ])('is undefined for %s', (target) => {
    expect(parse(target)).toBeUndefined();
  });
});

describe('withDeploymentModel', () => {
  it('gives a body without a model the deployment as model, leaving the body itself alone', () => {
    const body = { input: 'x' };
    expect(withDeploymentModel(body, 'embed-eu')).toEqual({ input: 'x', model: 'embed-eu' });
    expect(withDeploymentModel({ model: '' }, 'embed-eu')).toEqual({ model: 'embed-eu' });
    expect(body).toEqual({ input: 'x' });
  });

  it("keeps the body's own model, and changes nothing off the Azure path", () => {
    expect(withDeploymentModel({ model: 'gpt-4o' }, 'gpt4o-eu')).toEqual({ model: 'gpt-4o' });
    const body = { input: 'x' };
    expect(withDeploymentModel(body, undefined)).toBe(body);
  });
});
