using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;
using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Tests;

/// <summary>The checker must be able to fail: each deliberately wrong gradient fails exactly its own rows, exit code 1.</summary>
public class FailureTests
{
    [Fact]
    public void Library_kernels_all_pass_on_the_active_path()
    {
        var outcome = Runner.Json(CheckRegistry.Default);

        Assert.Empty(outcome.FailedRows);
        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.All(outcome.Results, r => Assert.Equal(SimdInfo.ActivePathName, r.Path));
        Assert.Contains(outcome.Results, r => r.Dtype == "float");
        Assert.Contains(outcome.Results, r => r.Dtype == "double");
    }

    [Fact]
    public void Sigmoid_derivative_taken_as_sigmoid_fails_the_sigmoid_rows_only()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("sigmoid", new BrokenOps.SigmoidPrimeIsSigmoid()));

        Assert.Equal(["sigmoid double", "sigmoid float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void Sigmoid_derivative_taken_as_sigmoid_fails_in_fast_mode_too()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("sigmoid", new BrokenOps.SigmoidPrimeIsSigmoid()), "--fast");

        Assert.Equal(["sigmoid double", "sigmoid float"], outcome.FailedRows);
        Assert.All(outcome.Results, r => Assert.Equal("directional", r.Mode));
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    /// <summary>
    /// In the tail y(1 − y) is 0 in float past x ≈ 17.3 while the true σ′ is 2e−9 … 2e−22: only a relative float
    /// tolerance sees it. The double row passes: its error is far below PyTorch's atol of 1e−5.
    /// </summary>
    [Fact]
    public void Sigmoid_derivative_from_the_rounded_output_fails_the_float_tail_only()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("sigmoid-tail", new BrokenOps.SigmoidPrimeFromRoundedOutput()));

        Assert.Equal(["sigmoid-tail float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void Tanh_derivative_from_the_rounded_output_fails_the_float_tail_only()
    {
        var registry = CheckRegistry.Default.Replace("tanh-tail", new ActivationChecks.ActivationOp(Activation.Tanh, fromOutput: true));

        var outcome = Runner.Json(registry, "--kernel", "tanh");

        Assert.Equal(["tanh-tail float"], outcome.FailedRows);
    }

    [Fact]
    public void Log_sigmoid_derivative_taken_as_softplus_derivative_fails_the_log_sigmoid_rows_only()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("log-sigmoid", new BrokenOps.LogSigmoidPrimeIsSoftplusPrime()), "--kernel", "activations");

        Assert.Equal(["log-sigmoid double", "log-sigmoid float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    /// <summary>
    /// 1 − σ(x) is 0 in float past x ≈ 17.3 while log-sigmoid′ = σ(−x) is 2e−9 … 2e−22 on the tail: the relative float
    /// tolerance fails it; in double the difference is far below PyTorch's atol, so that row passes.
    /// </summary>
    [Fact]
    public void Log_sigmoid_derivative_formed_as_one_minus_sigmoid_fails_the_float_tail_only()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("log-sigmoid-tail", new BrokenOps.LogSigmoidPrimeAsOneMinusSigmoid()), "--kernel", "log-sigmoid");

        Assert.Equal(["log-sigmoid-tail float"], outcome.FailedRows);
        Assert.Contains(outcome.Results, r => r.Kernel == "log-sigmoid" && r.Passed);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void At_x_50_the_float_check_fails_y_times_one_minus_y_and_passes_the_derivative_from_the_input()
    {
        CheckCase tail = CheckRegistry.Default.Definitions.Single(d => d.Kernel == "sigmoid-tail").Create(new CaseShapes()) with
        {
            Inputs = [new Tensor("x", [50, 50, 50, -50])],
            OutputLength = 4,
        };
        var settings = new CheckSettings { CheckDouble = false };

        CheckResult broken = Assert.Single(GradChecker.Run(tail with { Op = new BrokenOps.SigmoidPrimeFromRoundedOutput() }, settings));
        CheckResult correct = Assert.Single(GradChecker.Run(tail, settings));

        Assert.False(broken.Passed);
        Assert.Contains("3 of 4", broken.Reason, StringComparison.Ordinal);
        Assert.True(correct.Passed, correct.Reason);
    }

    [Fact]
    public void Gemm_gradient_with_the_transpose_forgotten_fails_the_gemm_nn_rows_only()
    {
        var registry = CheckRegistry.Default.Replace("gemm-nn", shapes => new BrokenOps.GemmForgotTranspose(shapes.M, shapes.N, shapes.K));

        var outcome = Runner.Json(registry, "--kernel", "gemm");

        Assert.Equal(["gemm-nn double", "gemm-nn float"], outcome.FailedRows);
        Assert.Contains(outcome.Results, r => r.Kernel == "gemm-nn-large" && r.Passed);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void Gemm_gradient_with_the_transpose_forgotten_fails_in_fast_mode_on_a_square_shape()
    {
        // Square, so the wrong product has the right shape and only the values tell.
        var registry = CheckRegistry.Default.Replace("gemm-nn", shapes => new BrokenOps.GemmForgotTranspose(shapes.M, shapes.N, shapes.K));

        var outcome = Runner.Json(registry, "--kernel", "gemm-nn", "--shape", "24,24,24", "--fast");

        Assert.Equal(["gemm-nn double", "gemm-nn float"], outcome.FailedRows);
    }

    [Fact]
    public void Cross_entropy_gradient_missing_its_one_over_n_fails_its_rows_only()
    {
        var registry = CheckRegistry.Default.Replace("softmax-cross-entropy-labels", shapes => new BrokenOps.CrossEntropyWithoutOneOverN(shapes.M, shapes.N));

        var outcome = Runner.Json(registry, "--kernel", "losses");

        Assert.Equal(["softmax-cross-entropy-labels double", "softmax-cross-entropy-labels float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void Backward_that_differs_between_two_calls_fails_reentrancy()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("sigmoid", new BrokenOps.SigmoidNotReentrant()), "--kernel", "sigmoid");

        Assert.Equal(["sigmoid double", "sigmoid float"], outcome.FailedRows);
        Assert.All(outcome.Results.Where(r => r.Kernel == "sigmoid"), r => Assert.False(r.Reentrant));
    }

    [Fact]
    public void Backward_not_zero_for_a_zero_upstream_gradient_fails()
    {
        var outcome = Runner.Json(CheckRegistry.Default.Replace("sigmoid", new BrokenOps.SigmoidWithConstantTerm()), "--kernel", "sigmoid");

        Assert.Equal(["sigmoid double", "sigmoid float"], outcome.FailedRows);
        Assert.All(outcome.Results.Where(r => r.Kernel == "sigmoid"), r => Assert.False(r.ZeroUpstream));
    }

    [Fact]
    public void Table_names_each_failing_row_and_the_summary_counts_them()
    {
        var outcome = Runner.Raw(CheckRegistry.Default.Replace("sigmoid", new BrokenOps.SigmoidPrimeIsSigmoid()), "--path", "active", "--kernel", "sigmoid");

        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
        Assert.Contains($"FAIL sigmoid double {SimdInfo.ActivePathName}:", outcome.Output, StringComparison.Ordinal);
        Assert.Contains($"FAIL sigmoid float {SimdInfo.ActivePathName}:", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("2 FAILED", outcome.Output, StringComparison.Ordinal);
    }
}
