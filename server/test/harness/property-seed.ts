import fc from 'fast-check';

/**
 * Every property test in a jest run uses one seed, chosen by the global setup (or FC_SEED) and
 * printed there, so a failure seen once can be replayed: FC_SEED=<seed> npx jest <file>.
 * fast-check's own failure report adds the seed and the path of the shrunk counterexample.
 */
const seed = Number(process.env.FC_SEED);
if (Number.isSafeInteger(seed)) fc.configureGlobal({ seed });
