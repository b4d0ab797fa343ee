// fast-check 4's declarations import pure-rand through its exports map ('pure-rand/types/…'),
// which the tests' moduleResolution (node10) does not read. Point those two names at the files
// they resolve to, so `npm run typecheck` can check the property tests.
declare module 'pure-rand/types/RandomGenerator' {
  export * from 'pure-rand/lib/esm/types/RandomGenerator';
}
declare module 'pure-rand/types/JumpableRandomGenerator' {
  export * from 'pure-rand/lib/esm/types/JumpableRandomGenerator';
}
