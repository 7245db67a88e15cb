// The daily and weekly rhythm of traffic (UTC). The factors average to exactly 1 over a
// week, so a destination's base rate is its mean rate over a full week. The standard
// profile is the one every scenario used before scenarios existed; the volume scenario
// deepens both rhythms (quiet nights, much quieter weekends).
import { DAY_MS, HOUR_MS, type ScenarioName } from './types.js';

/** Hour of the daily peak (UTC) and the swing around 1: 0.3 at night .. 1.7 in business hours. */
export const PEAK_HOUR = 14;
export const DAILY_SWING = 0.7;
/** Weekdays and weekends keep a 2:1 ratio; 5 * 7/6 + 2 * 7/12 = 7, so the weekly mean is 1. */
export const WEEKDAY_FACTOR = 7 / 6;
export const WEEKEND_FACTOR = 7 / 12;

export interface SeasonalProfile {
  /** The daily curve is 1 + daily_swing * cos(2 pi (hour - PEAK_HOUR) / 24). */
  daily_swing: number;
  /** Multipliers of Monday-Friday and of Saturday-Sunday; 5 * weekday + 2 * weekend = 7. */
  weekday: number;
  weekend: number;
}

export const STANDARD_SEASONALITY: SeasonalProfile = { daily_swing: DAILY_SWING, weekday: WEEKDAY_FACTOR, weekend: WEEKEND_FACTOR };

/** A profile whose weekend day carries `weekendRatio` of a weekday's traffic, weekly mean 1. */
export function seasonalProfile(dailySwing: number, weekendRatio: number): SeasonalProfile {
  const weekday = 7 / (5 + 2 * weekendRatio);
  return { daily_swing: dailySwing, weekday, weekend: weekday * weekendRatio };
}

/** Smooth daily curve, a cosine peaking at PEAK_HOUR; its mean over a day is 1. */
export function hourOfDayFactor(ms: number, profile: SeasonalProfile = STANDARD_SEASONALITY): number {
  const hour = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return 1 + profile.daily_swing * Math.cos((2 * Math.PI * (hour - PEAK_HOUR)) / 24);
}

/** 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
export function utcWeekday(ms: number): number {
  return (((Math.floor(ms / DAY_MS) + 4) % 7) + 7) % 7;
}

export function weekdayFactor(ms: number, profile: SeasonalProfile = STANDARD_SEASONALITY): number {
  const day = utcWeekday(ms);
  return day === 0 || day === 6 ? profile.weekend : profile.weekday;
}

/** The rate multiplier at an instant. */
export function seasonalFactor(ms: number, profile: SeasonalProfile = STANDARD_SEASONALITY): number {
  return hourOfDayFactor(ms, profile) * weekdayFactor(ms, profile);
}

/** The volume scenario: nights at 0.1 of the day's mean, afternoons at 1.9, a weekend day a quarter of a weekday. */
export const VOLUME_SEASONALITY: SeasonalProfile = seasonalProfile(0.9, 0.25);

export function seasonalityOf(scenario: ScenarioName): SeasonalProfile {
  return scenario === 'volume' ? VOLUME_SEASONALITY : STANDARD_SEASONALITY;
}
