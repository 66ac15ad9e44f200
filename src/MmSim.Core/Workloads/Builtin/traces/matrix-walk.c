/* Fills a 16 x 1024 int matrix (64 KiB, rows of 4 KiB) in memory order, then sums it by rows ("r") or by columns
   ("c"): the same loads, different locality. By columns, the 16 lines of a column all fall in the same L1d set
   (4 KiB apart), more than its 12 ways. Build: gcc -O1 -static -o walk matrix-walk.c */
#define ROWS 16
#define COLS 1024
int m[ROWS][COLS];
int main(int argc, char **argv) {
    int cols = argc > 1 && argv[1][0] == 'c';
    long sum = 0;
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) m[i][j] = i + j;
    if (cols) { for (int j = 0; j < COLS; j++) for (int i = 0; i < ROWS; i++) sum += m[i][j]; }
    else      { for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) sum += m[i][j]; }
    return (int)(sum & 1);
}
