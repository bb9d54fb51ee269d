"""Signal processing: preprocessing, response removal, the window grid, features."""
