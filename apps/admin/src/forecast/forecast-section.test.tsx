import type { StreamForecast } from '@p2pcdn/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeForestFixture } from '../fixtures/forest-fixture.ts';
import { LIVE } from '../fixtures/snapshot-fixture.ts';
import { ForecastCard, ForecastPanel } from './forecast-section.tsx';
import { forecastSeries } from './forecast-series.ts';

const snapshot = makeForestFixture();
const live = snapshot.streams.find((s) => s.id === LIVE)!;
const forecast = snapshot.forecasts!.find((f) => f.streamId === LIVE)!;

describe('forecast-series', () => {
  it('gives uPlot one time column and aligned series, in time order without repeated periods', () => {
    const [a, b, c] = forecast.points;
    const shuffled: StreamForecast = { ...forecast, points: [c!, a!, b!, a!] };
    const { audience, rates } = forecastSeries(shuffled);
    expect(audience[0]).toEqual([a!.at / 1000, b!.at / 1000, c!.at / 1000]);
    expect(audience).toHaveLength(4);
    expect(rates).toHaveLength(5);
    for (const column of [...audience, ...rates]) expect(column).toHaveLength(3);
    expect(audience[1]).toEqual([a!.viewers, b!.viewers, c!.viewers]);
    expect(audience[2]).toEqual([a!.forecastViewers, b!.forecastViewers, c!.forecastViewers]);
    expect(audience[3]).toEqual([a!.activeRelays, b!.activeRelays, c!.activeRelays]);
    expect(rates[2]).toEqual([a!.forecastLogonRate, b!.forecastLogonRate, c!.forecastLogonRate]);
    expect(rates[4]).toEqual([a!.forecastLogoffRate, b!.forecastLogoffRate, c!.forecastLogoffRate]);
  });
});

describe('forecast-card', () => {
  it('hands both charts the whole history and shows the latest figures', () => {
    const html = renderToStaticMarkup(<ForecastCard stream={live} forecast={forecast} color="#2563eb" />);
    const n = forecast.points.length;
    expect(html).toContain(`data-series="3" data-points="${n}"`);
    expect(html).toContain(`data-series="4" data-points="${n}"`);
    const last = forecast.points.at(-1)!;
    expect(html).toContain(`<dd>${last.viewers}</dd>`);
    expect(html).toContain(`forecast ${last.forecastViewers.toFixed(1)}`);
    expect(html).not.toContain('forecast-empty');
  });

  it('says so when the stream has no forecast, or an empty one', () => {
    for (const f of [undefined, { ...forecast, points: [] }]) {
      const html = renderToStaticMarkup(<ForecastCard stream={live} forecast={f} color="#2563eb" />);
      expect(html).toContain(`data-testid="forecast-empty-${LIVE}"`);
      expect(html).not.toContain('data-points');
    }
  });
});

describe('forecast-panel', () => {
  it('draws a card per stream when the coordinator sends forecasts', () => {
    const html = renderToStaticMarkup(<ForecastPanel snapshot={snapshot} />);
    expect(html).toContain('data-testid="forecast-demo-live"');
    expect(html).toContain('data-testid="forecast-demo-vod"');
  });

  it('explains an empty panel: no forecaster, or forecasting switched off', () => {
    const none = renderToStaticMarkup(
      <ForecastPanel snapshot={makeForestFixture({ withoutForecasts: true })} />,
    );
    expect(none).toContain('data-testid="forecast-empty"');
    expect(none).toContain('sends no forecasts');
    const off = makeForestFixture();
    off.planner = { ...off.planner!, forecast: false };
    const html = renderToStaticMarkup(<ForecastPanel snapshot={off} />);
    expect(html).toContain('Forecasting is off');
    expect(html).not.toContain('data-points');
  });
});
