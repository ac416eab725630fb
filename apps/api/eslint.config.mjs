import baseConfig from '../../eslint.config.mjs';
import typedConfig from '../../eslint.typed.config.mjs';
import layersConfig from './eslint.layers.config.mjs';

export default [...baseConfig, ...typedConfig(import.meta.dirname), ...layersConfig];
