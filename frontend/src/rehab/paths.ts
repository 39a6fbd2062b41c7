// Where the rehabilitation API lives, for every page of this folder.
export const REHAB_API = "care/rehabilitation";
