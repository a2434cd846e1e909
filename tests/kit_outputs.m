% Reads dynhat's `--format mat` outputs as the replication kit's scripts would and checks their
% shapes and identities. Run by tests/kit_outputs_test.sh:
%   octave-cli --norc -q tests/kit_outputs.m RUN_DIR J R T
% RUN_DIR holds baseline.mat, counterfactual.mat and the CSV path files of the same run.
% Exits 1 at the first failed check, naming it.
args = argv();
run_dir = args{1};
J = str2double(args{2});
R = str2double(args{3});
T = str2double(args{4});
M = R * (J + 1);
function check(ok, what)
  if ok
    printf('ok: %s\n', what);
  else
    printf('FAILED: %s\n', what);
    exit(1);
  end
end

b = load(fullfile(run_dir, 'baseline.mat'));
c = load(fullfile(run_dir, 'counterfactual.mat'));
check(isequal(sort(fieldnames(b)), sort({'Hvectnoshock'; 'Ldyn'; 'rwage'})), 'baseline.mat holds Hvectnoshock, Ldyn, rwage');
check(isequal(sort(fieldnames(c)), sort({'V'; 'Ldyn'; 'rwage'})), 'counterfactual.mat holds V, Ldyn, rwage');
check(isequal(size(b.Hvectnoshock), [M T]), 'Hvectnoshock is M x T');
check(isequal(size(c.V), [M T]), 'V is M x T');
check(isequal(size(b.Ldyn), [J+1 R T]) && isequal(size(c.Ldyn), [J+1 R T]), 'Ldyn is (J+1) x R x T');
check(isequal(size(b.rwage), [R J+1 T]) && isequal(size(c.rwage), [R J+1 T]), 'rwage is R x (J+1) x T');

% The kit's identities. Labor: every slot's total is L0's (mu rows sum to 1): relative 1e-12,
% T sums of M terms in another order than dynhat's.
L0 = b.Ldyn(:, :, 1);
total = sum(L0(:));
for p = {b, c}
  L = p{1}.Ldyn;
  per_period = squeeze(sum(sum(L, 1), 2));
  check(max(abs(per_period - total)) <= 1e-12 * total, 'labor totals per period equal L0''s');
end
check(isequal(c.Ldyn(:, :, 1), L0), 'both paths start from the same L0');
check(all(c.V(:, T) == 1) && all(b.Hvectnoshock(:, T) == 1), 'V = 1 and Hvectnoshock = 1 at the horizon');
check(all(b.rwage(:, 1, :)(:) == 1) && all(c.rwage(:, 1, :)(:) == 1), 'rwage = 1 in non-employment');
check(all(b.rwage(:, :, 1)(:) == 1), 'baseline rwage = 1 at t = 1');

% The same numbers as the CSV path files (decimal shortest round-trip form, read back exactly).
L_csv = dlmread(fullfile(run_dir, 'counterfactual', 'L.csv'));
Y_csv = dlmread(fullfile(run_dir, 'counterfactual', 'Y.csv'));
H_csv = dlmread(fullfile(run_dir, 'baseline', 'Y.csv'));
w_csv = dlmread(fullfile(run_dir, 'baseline', 'real_wage.csv'));
check(isequal(reshape(c.Ldyn, M, T), L_csv'), 'Ldyn(q+1, n+1, t) = L.csv(t, n*(J+1)+q+1)');
check(isequal(c.V, Y_csv') && isequal(b.Hvectnoshock, H_csv'), 'V and Hvectnoshock are Y.csv transposed');
% The kit's reshape of a value column: reshape(V(:, t), J+1, R) is (market, region).
t = 3;
check(isequal(reshape(c.V(:, t), J+1, R), reshape(Y_csv(t, :), J+1, R)), 'reshape(V(:, t), J+1, R) is (market, region)');
% rwage: real-wage changes between consecutive slots, region first; relative 1e-15 (one division).
changes = [ones(1, M); w_csv(2:end, :) ./ w_csv(1:end-1, :)];
kit_order = permute(reshape(changes', J+1, R, T), [2 1 3]);
check(max(abs(b.rwage(:) - kit_order(:))) <= 1e-15 * max(abs(kit_order(:))), 'baseline rwage = the real-wage changes, R x (J+1) x T');
printf('all checks passed\n');
