// Wall and CPU time of a stretch of work, the two clocks every bench measurement reports.

/** Elapsed wall seconds and CPU seconds (user + system, all threads of the process). */
export interface Elapsed {
  seconds: number;
  cpuSeconds: number;
}

/** Starts both clocks; the returned function reads the time elapsed since. */
export function startClock(): () => Elapsed {
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpuStarted);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
}
