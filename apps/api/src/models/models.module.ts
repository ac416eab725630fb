import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { ApiMetrics } from '../metrics/api-metrics';
import { REDIS_CLIENT } from '../redis/redis.module';
import type { RedisClient } from '../redis/redis-client';
import { createDeploymentClient, upstreamModelName } from './deployment-client';
import { DeploymentCooldowns, MemoryDeploymentCooldowns } from './deployment-cooldowns';
import { DemoModelProvider } from './demo-model-provider';
import { ModelCatalog } from './model-catalog';
import { ModelProvider } from './model-provider';
import { ModelRouter, type Route } from './model-router';
import { ModelsController } from './models.controller';
import { OpenAiModelProvider } from './openai-model-provider';
import { RedisDeploymentCooldowns } from './redis-deployment-cooldowns';
import { ResilientModelProvider } from './resilient-model-provider';
import { upstreamTarget } from './upstream-span';

type ModelsConfig = AppConfig['models'];

/** Each model's deployments, each with the provider that calls it. */
function routesOf(config: ModelsConfig): Map<string, Route[]> {
  return new Map(
    Object.entries(config.deployments).map(([model, deployments]) => [
      model,
      deployments.map((deployment): Route => {
        if (deployment.kind === 'demo') {
          const provider = new DemoModelProvider(config.demoTokenDelayMs);
          return { model, upstreamModel: model, deployment, provider };
        }
        const client = createDeploymentClient(deployment);
        const provider = new OpenAiModelProvider(
          client,
          upstreamTarget(deployment, client.baseURL),
        );
        const upstreamModel = upstreamModelName(deployment);
        return { model, upstreamModel, deployment, provider, client };
      }),
    ]),
  );
}

/** The models the configuration lists, each spread over its deployments with fallbacks. */
function createModelRouter(
  config: ModelsConfig,
  metrics: ApiMetrics,
  cooldowns: DeploymentCooldowns,
): ModelRouter {
  const names = new Set(Object.values(config.deployments).flatMap((all) => all.map((d) => d.name)));
  metrics.watchCooldowns([...names], (deployments) => cooldowns.cooling(deployments));
  return new ModelRouter(config, routesOf(config), cooldowns, {
    observer: {
      deploymentFailed: (deployment, cause) => metrics.deploymentFailed(deployment, cause),
    },
  });
}

@Module({
  controllers: [ModelsController],
  providers: [
    ModelCatalog,
    {
      provide: DeploymentCooldowns,
      useFactory: (redisConfig: AppConfig['redis'], redis: RedisClient | null) =>
        redis
          ? new RedisDeploymentCooldowns(redis, { commandTimeoutMs: redisConfig.commandTimeoutMs })
          : new MemoryDeploymentCooldowns(),
      inject: [CONFIG.redis, REDIS_CLIENT],
    },
    {
      provide: ModelRouter,
      useFactory: createModelRouter,
      inject: [CONFIG.models, ApiMetrics, DeploymentCooldowns],
    },
    {
      // Replies bounded in time and retried per the `upstream` settings.
      provide: ModelProvider,
      useFactory: (upstream: AppConfig['upstream'], router: ModelRouter, metrics: ApiMetrics) =>
        new ResilientModelProvider(router, upstream, { metrics }),
      inject: [CONFIG.upstream, ModelRouter, ApiMetrics],
    },
  ],
  exports: [ModelCatalog, ModelProvider, ModelRouter],
})
export class ModelsModule {}
