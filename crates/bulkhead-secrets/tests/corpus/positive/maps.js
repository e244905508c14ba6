const MAPS_KEY = "AIzaCEYru93cZBJQNcMs7N5M0qKt_uzZmytKm4-";
