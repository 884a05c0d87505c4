export * from './config.ts';
export * from './traces.ts';
export * from './world.ts';
export * from './run-types.ts';
export * from './simulation.ts';
export { quantile } from './metrics.ts';
export * from './report.ts';
export { renderChart, type ChartSeries, type ChartSpec } from './chart-svg.ts';
