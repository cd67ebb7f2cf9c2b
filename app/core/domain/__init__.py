"""Qt-free domain rules: coordinates, date-time groups, symbol codes and markings."""
