// The `express5` dev dependency is Express 5 under an npm alias; its API shape is Express's.
declare module 'express5' {
  import express = require('express');
  export = express;
}
