// Types for the part of jstat (plain JavaScript, no declarations of its own) that src/stats.ts uses.
declare module 'jstat' {
  interface StudentT {
    /** P(T ≤ x) for Student's t with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** The p-quantile of Student's t with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
  }
  interface NoncentralT {
    /** P(T ≤ x) for the noncentral t with `dof` degrees of freedom and noncentrality `ncp`. */
    cdf(x: number, dof: number, ncp: number): number;
  }
  export const studentt: StudentT;
  export const noncentralt: NoncentralT;
}
